-- Keys for editors and admins. A key reads `akb_<id>_<secret>`; only the SHA-256 of the secret is
-- kept, so a stolen database gives no usable key.
CREATE TABLE api_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    role          text NOT NULL CHECK (role IN ('editor', 'admin')),
    secret_sha256 text NOT NULL CHECK (secret_sha256 ~ '^[0-9a-f]{64}$'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
