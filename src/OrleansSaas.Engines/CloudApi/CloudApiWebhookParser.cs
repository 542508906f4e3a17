using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Contracts.Sessions;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>What one webhook body says, in the order it says it.</summary>
public sealed record WebhookContents(IReadOnlyList<InboundMessage> Messages, IReadOnlyList<DeliveryReport> Statuses,
    IReadOnlyList<(string Code, string Message)> Errors, IReadOnlyList<AccountNotice> OtherFields);

/// <summary>
/// A change of another webhook field than messages (account_update, phone_number_quality_update,
/// message_template_status_update, …): its field, its value as sent (for the record), and whether it says
/// the business account was disabled (account_update with ban_info.waba_ban_state DISABLE).
/// </summary>
public sealed record AccountNotice(string Field, string Value, bool AccountDisabled)
{
    // A notice is recorded whole up to this length; a longer value is cut (it is a record, not a store).
    private const int MaxValueLength = 2000;

    public static AccountNotice Of(string field, JsonNode? value)
    {
        var json = value?.ToJsonString() ?? "null";
        var disabled = field == "account_update" && string.Equals((string?)value?["ban_info"]?["waba_ban_state"], "DISABLE", StringComparison.OrdinalIgnoreCase);
        return new AccountNotice(field, json.Length > MaxValueLength ? json[..MaxValueLength] + "…" : json, disabled);
    }
}

/// <summary>
/// Reads Meta's webhook envelope (entry[].changes[].value) tolerantly: unknown fields and types are kept as
/// their raw object rather than dropped, and a peer may be a business-scoped user id instead of a phone number.
/// </summary>
public static class CloudApiWebhookParser
{
    private static readonly string[] MediaTypes = ["image", "video", "audio", "document", "sticker"];

    /// <summary>Null when the body is not a webhook envelope at all.</summary>
    public static WebhookContents? Parse(byte[] body, string phoneNumberId)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
        if (root?["entry"] is not JsonArray entries) return null;
        var messages = new List<InboundMessage>();
        var statuses = new List<DeliveryReport>();
        var errors = new List<(string, string)>();
        var others = new List<AccountNotice>();
        foreach (var change in entries.SelectMany(e => e?["changes"] as JsonArray ?? []))
        {
            var field = (string?)change?["field"] ?? "";
            var value = change?["value"];
            if (field != "messages" || value is null)
            {
                others.Add(AccountNotice.Of(field, value));
                continue;
            }
            // A change for another number of the same app is not this session's.
            if ((string?)value["metadata"]?["phone_number_id"] is { } target && target != phoneNumberId) continue;
            foreach (var message in value["messages"] as JsonArray ?? [])
                if (message is JsonObject m && Inbound(m) is { } inbound) messages.Add(inbound);
            foreach (var status in value["statuses"] as JsonArray ?? [])
                if (status is JsonObject s && Status(s) is { } report) statuses.Add(report);
            foreach (var error in value["errors"] as JsonArray ?? [])
                errors.Add((Text(error?["code"]) ?? "unknown", (string?)error?["title"] ?? (string?)error?["message"] ?? ""));
        }
        return new WebhookContents(messages, statuses, errors, others);
    }

    private static InboundMessage? Inbound(JsonObject message)
    {
        if ((string?)message["id"] is not { } id) return null;
        var from = Peer((string?)message["from"] ?? (string?)message["from_user_id"] ?? (string?)message["user_id"]);
        if (from is null) return null;
        var type = (string?)message["type"] ?? "unknown";
        var content = Content(type, message[type], message);
        if (type != "reaction" && (string?)message["context"]?["id"] is { } quoted) content = content with { ReplyTo = quoted };
        return new InboundMessage(id, from, content, Time(message["timestamp"]));
    }

    private static MessageContent Content(string type, JsonNode? body, JsonObject message)
    {
        var buttonReply = body is JsonObject b ? b["button_reply"] as JsonObject : null;
        var listReply = body is JsonObject l ? l["list_reply"] as JsonObject : null;
        switch (type)
        {
            case "text":
                return new MessageContent("text", (string?)body?["body"] ?? "");
            case var media when MediaTypes.Contains(media):
                var details = new JsonObject { ["mediaId"] = (string?)body?["id"], ["mimeType"] = (string?)body?["mime_type"], ["sha256"] = (string?)body?["sha256"] };
                if ((string?)body?["filename"] is { } fileName) details["fileName"] = fileName;
                return new MessageContent(type, (string?)body?["caption"], details.ToJsonString());
            case "location":
                return new MessageContent("location", null, new JsonObject
                {
                    ["latitude"] = body?["latitude"]?.DeepClone(), ["longitude"] = body?["longitude"]?.DeepClone(),
                    ["name"] = (string?)body?["name"], ["address"] = (string?)body?["address"],
                }.ToJsonString());
            case "reaction":
                return new MessageContent("reaction", null, new JsonObject { ["emoji"] = (string?)body?["emoji"] ?? "" }.ToJsonString(), (string?)body?["message_id"]);
            case "interactive" when buttonReply is not null:
                return new MessageContent("button_reply", (string?)buttonReply["title"], buttonReply.ToJsonString());
            case "interactive" when listReply is not null:
                return new MessageContent("list_reply", (string?)listReply["title"], listReply.ToJsonString());
            case "button":
                return new MessageContent("button", (string?)body?["text"], body?.ToJsonString());
            default:
                // contacts, unsupported (with its errors), system, order, referral, Flows replies, what comes next: kept whole.
                var raw = body?.DeepClone() ?? new JsonObject();
                if (message["errors"] is JsonArray errors && raw is JsonObject o) o["errors"] = errors.DeepClone();
                return new MessageContent(type, null, raw is JsonObject or JsonArray ? raw.ToJsonString() : new JsonObject { ["value"] = raw }.ToJsonString());
        }
    }

    private static DeliveryReport? Status(JsonObject status)
    {
        if ((string?)status["id"] is not { } id) return null;
        MessageStatus? state = (string?)status["status"] switch
        {
            "sent" => MessageStatus.Sent,
            "delivered" => MessageStatus.Delivered,
            "read" or "played" => MessageStatus.Read,
            "failed" => MessageStatus.Failed,
            _ => null,
        };
        if (state is null) return null;
        string? error = null;
        if (status["errors"] is JsonArray { Count: > 0 } errors)
            error = $"{Text(errors[0]?["code"])}: {(string?)errors[0]?["title"] ?? (string?)errors[0]?["message"]}";
        return new DeliveryReport(id, state.Value, Time(status["timestamp"]), error);
    }

    /// <summary>A phone number as E.164; a business-scoped user id (e.g. US.1349…) as it is.</summary>
    public static string? Peer(string? id)
    {
        if (string.IsNullOrEmpty(id)) return null;
        return id.All(char.IsAsciiDigit) ? "+" + id : id;
    }

    private static DateTimeOffset Time(JsonNode? timestamp) =>
        Text(timestamp) is { } text && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UtcNow;

    // Strings in the documented format; numbers tolerated.
    private static string? Text(JsonNode? node) => node is JsonValue value
        ? value.TryGetValue<string>(out var s) ? s : value.ToJsonString()
        : null;
}
