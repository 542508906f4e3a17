using Npgsql;

namespace OrleansSaas.Data.Events;

/// <summary>
/// Writes that append their event in the same statement as the change (append_event in schema/0009),
/// so a change never commits without its event, nor an event without its change. Numbering comes after (sequence_events).
/// </summary>
internal static class EventAppend
{
    /// <summary>Runs a statement that returns one row per appended event.</summary>
    public static async Task<AppendedEvents> ExecuteAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        var count = 0;
        while (await reader.ReadAsync()) count++;
        return count == 0 ? AppendedEvents.None : new AppendedEvents(count);
    }
}
