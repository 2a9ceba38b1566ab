# tools/pin: rules for this folder (filled in by the folder's owner).
