using Npgsql;

namespace OrleansSaas.Data.Events;

/// <summary>Optional narrowing of a read of the event log; null means "any".</summary>
public sealed record EventFilter(string? SessionId = null, IReadOnlyList<string>? Types = null);

/// <summary>
/// A tenant's event log, read in sequence order, and the positions its pull consumers have acknowledged.
/// Every query is scoped by tenant.
/// </summary>
public sealed class EventStore(NpgsqlDataSource db, GroupCommit commits)
{
    /// <summary>Appends an event that describes no row of ours (a QR code shown).</summary>
    public async Task<AppendedEvents> AppendAsync(string tenantId, string type, string sessionId, DateTimeOffset at, string data)
    {
        var command = new NpgsqlBatchCommand("WITH " + EventAppend.AppendEvents(null, "@type", "@session", "@at", "@data::json"));
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("type", type);
        command.Parameters.AddWithValue("session", sessionId);
        command.Parameters.AddWithValue("at", at);
        command.Parameters.AddWithValue("data", data);
        return await EventAppend.ExecuteAsync(commits, GroupCommit.KeyOf(tenantId, sessionId), command);
    }

    /// <summary>Numbers a batch of the tenant's events in write order and fans them out to its webhook subscriptions (one transaction).</summary>
    public async Task<NumberedEvents> NumberAsync(string tenantId, int limit)
    {
        await using var command = db.CreateCommand("SELECT numbered, subscriptions FROM number_events(@tenant, @limit)");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return new NumberedEvents(reader.GetInt32(0), reader.GetFieldValue<string[]>(1));
    }

    /// <summary>Tenants with events written before <paramref name="writtenBefore"/> that are still unnumbered (their numbering was lost with a silo).</summary>
    public async Task<IReadOnlyList<string>> ListTenantsWithUnnumberedAsync(DateTimeOffset writtenBefore, int limit)
    {
        await using var command = db.CreateCommand("""
            SELECT DISTINCT q.tenant_id FROM event_queue q JOIN events e ON e.position = q.position
            WHERE e.occurred_at < @before LIMIT @limit
            """);
        command.Parameters.AddWithValue("before", writtenBefore);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var tenants = new List<string>();
        while (await reader.ReadAsync()) tenants.Add(reader.GetString(0));
        return tenants;
    }

    /// <summary>Events after <paramref name="afterSeq"/> in order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<StoredEvent>> ListAsync(string tenantId, long afterSeq, int limit, EventFilter? filter = null)
    {
        await using var command = db.CreateCommand("""
            SELECT n.seq, e.id, e.type, e.session_id, e.occurred_at, e.data
            FROM event_numbers n JOIN events e ON e.position = n.position
            WHERE n.tenant_id = @tenant AND n.seq > @after
              AND (@session::text IS NULL OR e.session_id = @session::text)
              AND (@types::text[] IS NULL OR e.type = ANY (@types::text[]))
            ORDER BY n.seq LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("after", afterSeq);
        command.Parameters.AddWithValue("session", (object?)filter?.SessionId ?? DBNull.Value);
        command.Parameters.AddWithValue("types", (object?)filter?.Types?.ToArray() ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAsync(command);
    }

    public async Task<StoredEvent?> GetAsync(string tenantId, string eventId)
    {
        await using var command = db.CreateCommand("""
            SELECT n.seq, e.id, e.type, e.session_id, e.occurred_at, e.data
            FROM events e JOIN event_numbers n ON n.position = e.position
            WHERE e.tenant_id = @tenant AND e.id = @id
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("id", eventId);
        var events = await ReadAsync(command);
        return events.Count == 0 ? null : events[0];
    }

    /// <summary>The newest sequence number the tenant has, 0 before its first event.</summary>
    public async Task<long> LastSeqAsync(string tenantId)
    {
        await using var command = db.CreateCommand("SELECT last_seq FROM event_sequences WHERE tenant_id = @tenant");
        command.Parameters.AddWithValue("tenant", tenantId);
        return await command.ExecuteScalarAsync() as long? ?? 0;
    }

    /// <summary>The last sequence number a consumer acknowledged, 0 if it never did.</summary>
    public async Task<long> AckedAsync(string tenantId, string consumer)
    {
        await using var command = db.CreateCommand("SELECT acked_seq FROM event_consumers WHERE tenant_id = @tenant AND name = @name");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("name", consumer);
        return await command.ExecuteScalarAsync() as long? ?? 0;
    }

    /// <summary>
    /// Moves a consumer's position forward to <paramref name="seq"/> (never back: a late or repeated ack is harmless)
    /// and returns the position now recorded; null when <paramref name="seq"/> is beyond the tenant's newest event.
    /// </summary>
    public async Task<long?> AckAsync(string tenantId, string consumer, long seq)
    {
        await using var command = db.CreateCommand("""
            WITH newest AS (SELECT coalesce((SELECT last_seq FROM event_sequences WHERE tenant_id = @tenant), 0) AS seq),
            acked AS (
                INSERT INTO event_consumers AS c (tenant_id, name, acked_seq, updated_at)
                SELECT @tenant, @name, @seq, now() FROM newest WHERE @seq <= newest.seq
                ON CONFLICT (tenant_id, name) DO UPDATE SET acked_seq = greatest(c.acked_seq, excluded.acked_seq), updated_at = now()
                RETURNING acked_seq)
            SELECT acked_seq FROM acked
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("name", consumer);
        command.Parameters.AddWithValue("seq", seq);
        return await command.ExecuteScalarAsync() as long?;
    }

    /// <summary>
    /// Deletes up to <paramref name="batch"/> numbered events older than <paramref name="cutoff"/> with their numbers (their
    /// deliveries go with them), in no particular order: the age index summarizes block ranges, so a batch is the first
    /// old rows the scan meets. The array keeps the deletes on their keys; a generic plan for IN (subquery) scanned the
    /// whole table.
    /// </summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, int batch)
    {
        await using var command = db.CreateCommand("""
            WITH doomed AS (SELECT ARRAY(
                    SELECT e.position FROM events e
                    WHERE e.occurred_at < @cutoff
                      AND NOT EXISTS (SELECT FROM event_queue q WHERE q.tenant_id = e.tenant_id AND q.position = e.position)
                    LIMIT @batch) AS positions),
                numbers AS (DELETE FROM event_numbers WHERE position = ANY ((SELECT positions FROM doomed)::bigint[]))
            DELETE FROM events WHERE position = ANY ((SELECT positions FROM doomed)::bigint[])
            """);
        command.Parameters.AddWithValue("cutoff", cutoff);
        command.Parameters.AddWithValue("batch", batch);
        return await command.ExecuteNonQueryAsync();
    }

    private static async Task<IReadOnlyList<StoredEvent>> ReadAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<StoredEvent>();
        while (await reader.ReadAsync())
            events.Add(new StoredEvent(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5)));
        return events;
    }
}
