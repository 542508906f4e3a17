using Npgsql;

namespace OrleansSaas.Data.Events;

/// <summary>
/// Writes that append their event in the same statement as the change, so a change never commits without its event,
/// nor an event without its change. Numbering comes after (sequence_events in schema/0009).
/// </summary>
internal static class EventAppend
{
    /// <summary>
    /// The statement that appends one event per row of <paramref name="source"/> (a CTE of the change), or one event when
    /// it is null; the other arguments are SQL expressions and the tenant is <c>@tenant</c>. It is written into each
    /// statement rather than called as the append_event function: PostgreSQL cannot inline a function that inserts,
    /// so it parsed and planned the function's body again on every call.
    /// </summary>
    public static string InsertEvents(string? source, string type, string session, string at, string data) => $"""
        INSERT INTO events (tenant_id, id, type, session_id, occurred_at, data)
        SELECT @tenant, 'evt_' || replace(gen_random_uuid()::text, '-', ''), {type}, {session}, {at}, {data}
        {(source is null ? "" : $"FROM {source}")}
        RETURNING position
        """;

    /// <summary>Runs, in the next group commit, a statement that returns one row per appended event.</summary>
    public static async Task<AppendedEvents> ExecuteAsync(GroupCommit commits, string key, NpgsqlBatchCommand statement)
    {
        var count = await commits.ExecuteAsync(key, statement);
        return count == 0 ? AppendedEvents.None : new AppendedEvents(count);
    }
}
