using Npgsql;

namespace OrleansSaas.Data.Events;

/// <summary>
/// Writes that append their event in the same statement as the change (append_event in schema/0009),
/// so a change never commits without its event, nor an event without its change.
/// </summary>
internal static class EventAppend
{
    /// <summary>Runs a statement whose rows carry a "subscriptions" text[] column, one row per appended event.</summary>
    public static async Task<EventFanOut> ExecuteAsync(NpgsqlCommand command)
    {
        await using var reader = await command.ExecuteReaderAsync();
        List<string>? subscriptions = null;
        var events = 0;
        var column = reader.GetOrdinal("subscriptions");
        while (await reader.ReadAsync())
        {
            events++;
            var ids = reader.GetFieldValue<string[]>(column);
            if (ids.Length == 0) continue;
            subscriptions ??= [];
            foreach (var id in ids)
                if (!subscriptions.Contains(id)) subscriptions.Add(id);
        }
        return events == 0 ? EventFanOut.None : new EventFanOut(events, subscriptions ?? []);
    }
}
