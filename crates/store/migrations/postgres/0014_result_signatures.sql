-- Issue 14 part 4 (密评, 不可否认性): every sealed result version signed with SM2 (GB/T 32918, SM3,
-- user ID 1234567812345678) over its canonical JSON, by the key pair kept outside the database
-- (seal-sm2.key / seal-sm2.pub in the data directory). The signature (hex of r ‖ s) and the public
-- key that made it (hex, SEC 1 uncompressed) are kept with the version, so that a published result
-- can be checked by anyone (`kaohe verify`). NULL for a version sealed before this migration.
ALTER TABLE results ADD COLUMN signature TEXT COLLATE "C";
ALTER TABLE results ADD COLUMN public_key TEXT COLLATE "C";
