# tools/vcard/perso: rules for this folder (filled in by the folder's owner).
