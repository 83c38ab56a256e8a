#!/bin/bash
# Times the V11 migration (tenant names backfill) on PostgreSQL 15 (127.0.0.1:5432) over N contacts in 10 tenants, each contact's state with
# 3 tags of 20, 1 audience of 10, 3 attributes and the stamps, as ProfileJson writes it.
# Usage: load-tests/memory/names-migration.sh [contacts, default 1000000]; creates and drops database $DB.
set -e
N=${1:-1000000}
DB=${DB:-segstream_names_migration}
M="$(cd "$(dirname "$0")/../.." && pwd)/src/main/resources/db/migration"
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
for f in V1__foundation.sql V2__segments.sql V3__change_feed.sql V4__contact_due.sql V5__contact_number_ids.sql \
         V6__one_contact_number_index.sql V7__no_segments_gin_index.sql V8__prune_by_seq.sql \
         V9__sessions_and_stream_tokens.sql V10__segment_deletions.sql; do
  psql -q -h 127.0.0.1 -U postgres -d $DB -v ON_ERROR_STOP=1 -f $M/$f
done
psql -q -h 127.0.0.1 -U postgres -d $DB -v ON_ERROR_STOP=1 <<SQL
INSERT INTO tenants (id, name, time_zone) SELECT 'm' || i, 'm', 'UTC' FROM generate_series(0, 9) i;
INSERT INTO contacts (tenant_id, contact_id, contact_no, live, created_at, state)
SELECT 'm' || (i % 10), 'c-' || i, i, true, now(),
  jsonb_build_object(
    'a', jsonb_build_object('email', jsonb_build_object('v', 'c' || i || '@example.com', 't', '2026-11-01T10:00:00Z', 'e', 'e' || i),
                            'plan', jsonb_build_object('v', 'gold', 't', '2026-11-01T10:00:00Z', 'e', 'e' || i),
                            'visits', jsonb_build_object('v', i % 50, 't', '2026-11-01T10:00:00Z', 'e', 'e' || i)),
    'tg', jsonb_build_object('t' || (i % 20), jsonb_build_object('v', true, 't', '2026-11-01T10:00:00Z', 'e', 'g' || i),
                             't' || ((i / 7) % 20), jsonb_build_object('v', true, 't', '2026-11-01T10:00:00Z', 'e', 'h' || i),
                             't' || ((i / 3) % 20), jsonb_build_object('v', null, 't', '2026-11-01T10:00:00Z', 'e', 'k' || i)),
    'au', jsonb_build_object('a' || (i % 10), jsonb_build_object('v', true, 't', '2026-11-01T10:00:00Z', 'e', 'j' || i)),
    'ch', '{}'::jsonb,
    'fi', jsonb_build_object('t', '2026-11-01T10:00:00Z', 'e', 'e' || i),
    'la', jsonb_build_object('t', '2026-11-01T10:00:00Z', 'e', 'e' || i))
FROM generate_series(0, $N - 1) i;
VACUUM ANALYZE contacts;
SQL
psql -h 127.0.0.1 -U postgres -d $DB -Atc "SELECT pg_size_pretty(pg_total_relation_size('contacts')), count(*) FROM contacts"
for r in 1 2 3; do
  psql -h 127.0.0.1 -U postgres -d $DB -v ON_ERROR_STOP=1 -q <<SQL
\timing on
BEGIN;
\i $M/V11__tenant_names.sql
SELECT count(*) AS names, (SELECT sum(tags) FROM tenant_name_counts) AS tags FROM tenant_names;
ROLLBACK;
SQL
done
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $DB"
