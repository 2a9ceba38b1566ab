# tests/onay: eimza-onay unit and end-to-end tests.
