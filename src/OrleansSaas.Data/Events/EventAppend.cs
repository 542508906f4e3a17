using Npgsql;

namespace OrleansSaas.Data.Events;

/// <summary>
/// Writes that append their event in the same statement as the change (append_event in schema/0009),
/// so a change never commits without its event, nor an event without its change. Numbering comes after (sequence_events).
/// </summary>
internal static class EventAppend
{
    /// <summary>Runs, in the next group commit, a statement that returns one row per appended event.</summary>
    public static async Task<AppendedEvents> ExecuteAsync(GroupCommit commits, string key, NpgsqlBatchCommand statement)
    {
        var count = await commits.ExecuteAsync(key, statement);
        return count == 0 ? AppendedEvents.None : new AppendedEvents(count);
    }
}
