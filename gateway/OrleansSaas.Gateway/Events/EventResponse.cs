using System.Text.Json;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Gateway.Events;

/// <summary>An event as clients see it; the same fields as a webhook body and a stream message (see <see cref="EventEnvelope"/>).</summary>
public sealed record EventResponse(string Id, long Seq, string Type, string SessionId, DateTimeOffset OccurredAt, JsonElement Data)
{
    public static EventResponse From(StoredEvent stored)
    {
        using var data = JsonDocument.Parse(stored.Data);
        return new(stored.Id, stored.Seq, stored.Type, stored.SessionId, stored.OccurredAt, data.RootElement.Clone());
    }
}

/// <param name="Next">Pass as <c>after</c> to read on; equals <c>after</c> when there was nothing new.</param>
/// <param name="Acked">The consumer's acknowledged position.</param>
public sealed record EventPage(IReadOnlyList<EventResponse> Items, long Next, string Consumer, long Acked);

public sealed record AckRequest(long? Seq, string? Consumer);

public sealed record AckResponse(string Consumer, long Acked);
