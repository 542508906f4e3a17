using System.Text;
using System.Text.Json;

namespace OrleansSaas.Data.Events;

/// <summary>
/// An event as every consumer receives it (webhook body, stream data, pull item):
/// {"id","seq","type","sessionId","occurredAt","data"}, with the stored data embedded as is.
/// </summary>
public static class EventEnvelope
{
    public static string Write(StoredEvent stored)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", stored.Id);
            json.WriteNumber("seq", stored.Seq);
            json.WriteString("type", stored.Type);
            json.WriteString("sessionId", stored.SessionId);
            json.WriteString("occurredAt", stored.OccurredAt);
            json.WritePropertyName("data");
            json.WriteRawValue(stored.Data, skipInputValidation: true);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
