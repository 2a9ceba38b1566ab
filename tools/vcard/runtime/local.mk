# tools/vcard/runtime: rules for this folder (filled in by the folder's owner).
