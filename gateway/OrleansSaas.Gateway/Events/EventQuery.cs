using System.Globalization;
using OrleansSaas.Data.Events;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Sessions;

namespace OrleansSaas.Gateway.Events;

/// <summary>The filters the pull and stream endpoints share: one session, and a comma-separated list of event types.</summary>
public static class EventQuery
{
    public static EventFilter Filter(string? session, string? type, FieldErrors errors)
    {
        if (session is not null && !SessionRoutes.IsWellFormed(session)) errors.Add("session", "is not a session id.");
        List<string>? types = null;
        if (type is not null)
        {
            types = type.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
            var unknown = types.Where(t => !EventTypes.All.Contains(t)).ToList();
            if (types.Count == 0 || unknown.Count > 0)
                errors.Add("type", $"must be a comma-separated list of event types: {string.Join(", ", EventTypes.All)}.");
        }
        return new EventFilter(session, types);
    }

    /// <summary>A sequence number from the query string or the Last-Event-ID header: a whole number, 0 or more.</summary>
    public static long? Sequence(string? value, string field, FieldErrors errors)
    {
        if (value is null) return null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return seq;
        errors.Add(field, "must be an event sequence number (a whole number, 0 or more).");
        return null;
    }
}
