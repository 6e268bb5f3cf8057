#!/bin/sh
# Lets the replica stream from the primary (the official image allows only local replication).
echo "host replication all all trust" >> "$PGDATA/pg_hba.conf"
