using Npgsql;

namespace OrleansSaas.Data.Events;

/// <summary>
/// Writes that append their event in the same statement as the change, so a change never commits without its event,
/// nor an event without its change. Numbering comes after (number_events in schema/0018).
/// </summary>
internal static class EventAppend
{
    /// <summary>
    /// The end of a statement that appends one event per row of <paramref name="source"/> (a CTE of the change), or one
    /// event when it is null, and queues each for numbering; the other arguments are SQL expressions and the tenant is
    /// <c>@tenant</c>. It follows the statement's other CTEs (or a bare <c>WITH</c>) and returns one row per event.
    /// </summary>
    /// <remarks>
    /// Written into each statement rather than called as a function: PostgreSQL cannot inline a function that inserts,
    /// so it parsed and planned the function's body again on every call. Event ids are UUIDv7 (RFC 9562: milliseconds
    /// since the epoch, then random bits), so each lands at the end of the id index rather than on a random page.
    /// </remarks>
    public static string AppendEvents(string? source, string type, string session, string at, string data) => $"""
        appended AS (
            INSERT INTO events (tenant_id, id, type, session_id, occurred_at, data)
            SELECT @tenant, {NewEventId}, {type}, {session}, {at}, {data}
            {(source is null ? "" : $"FROM {source}")}
            RETURNING position)
        INSERT INTO event_queue (tenant_id, position) SELECT @tenant, position FROM appended RETURNING position
        """;

    // A random (v4) UUID with its first 48 bits replaced by the time in milliseconds and its version nibble set to 7.
    private const string NewEventId = """
        'evt_' || overlay(overlay(replace(gen_random_uuid()::text, '-', '')
            placing lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') FROM 1 FOR 12)
            placing '7' FROM 13 FOR 1)
        """;

    /// <summary>Runs, in the next group commit, a statement that returns one row per appended event.</summary>
    public static async Task<AppendedEvents> ExecuteAsync(GroupCommit commits, string key, NpgsqlBatchCommand statement)
    {
        var count = await commits.ExecuteAsync(key, statement);
        return count == 0 ? AppendedEvents.None : new AppendedEvents(count);
    }
}
