using System.Text.Json.Nodes;
using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Engines.Web;

/// <summary>Our message content model to and from the sidecar's <c>content</c> objects (PROTOCOL.md, message.send / message.inbound).</summary>
public static class WebContent
{
    public static string Digits(string number) => new(number.Where(char.IsAsciiDigit).ToArray());

    /// <summary>The sidecar's content for an outbound message; media (by our id or fetched from its link) are given as <paramref name="mediaData"/> (base64).</summary>
    public static JsonObject ToSidecar(MessageContent content, string? mediaData, string? mimeType)
    {
        // An object for most types, an array of cards for contacts.
        var details = content.Details is null ? new JsonObject() : JsonNode.Parse(content.Details)!;
        var result = new JsonObject();
        switch (content.Type)
        {
            case "text":
                result["type"] = "text";
                result["text"] = content.Text;
                if (details["mentions"] is JsonArray mentions) result["mentions"] = new JsonArray(mentions.Select(m => (JsonNode?)Digits((string)m!)).ToArray());
                break;
            case "image" or "video" or "audio" or "voice" or "document" or "sticker":
                result["type"] = content.Type == "voice" ? "audio" : content.Type;
                if (content.Type == "voice") result["voice"] = true;
                result["media"] = new JsonObject { ["data"] = mediaData };
                if (mimeType is not null) result["mimetype"] = mimeType;
                else if (content.Type == "document") result["mimetype"] = "application/octet-stream";
                if (content.Text is not null) result["caption"] = content.Text;
                if ((string?)details["fileName"] is { } fileName) result["fileName"] = fileName;
                break;
            case "location":
                result["type"] = "location";
                foreach (var field in new[] { "latitude", "longitude", "name", "address" })
                    if (details[field] is { } value) result[field] = value.DeepClone();
                break;
            case "contacts":
                result["type"] = "contacts";
                result["contacts"] = new JsonArray(details.AsArray().Select(card => (JsonNode?)new JsonObject
                {
                    ["name"] = (string?)card!["name"]?["formattedName"],
                    ["phones"] = new JsonArray((card["phones"] as JsonArray ?? []).Select(p => (JsonNode?)Digits((string?)p!["phone"] ?? "")).ToArray()),
                }).ToArray());
                break;
            case "reaction":
                result["type"] = "reaction";
                result["emoji"] = (string?)details["emoji"] ?? "";
                break;
            default:
                throw new NotSupportedException($"Message type {content.Type} has no web form.");
        }
        return result;
    }

    /// <summary>Our content for a <c>message.inbound</c>; null for types we do not keep (unsupported).</summary>
    public static MessageContent? FromSidecar(JsonObject inbound)
    {
        var type = (string?)inbound["type"];
        var content = inbound["content"] as JsonObject ?? new JsonObject();
        var networkId = (string?)inbound["networkMessageId"];
        var quoted = (string?)inbound["quoted"]?["networkMessageId"];
        switch (type)
        {
            case "text":
                return new MessageContent("text", (string?)content["text"], null, quoted);
            case "image" or "video" or "audio" or "document" or "sticker":
                var ourType = type == "audio" && (bool?)content["voice"] == true ? "voice" : type;
                var media = new JsonObject { ["mediaId"] = networkId, ["mimeType"] = (string?)content["mimetype"] };
                if ((string?)content["fileName"] is { } fileName) media["fileName"] = fileName;
                return new MessageContent(ourType, (string?)content["caption"], media.ToJsonString(), quoted);
            case "location":
                var place = new JsonObject();
                foreach (var field in new[] { "latitude", "longitude", "name", "address" })
                    if (content[field] is { } value) place[field] = value.DeepClone();
                return new MessageContent("location", null, place.ToJsonString(), quoted);
            case "contacts":
                var cards = new JsonArray((content["contacts"] as JsonArray ?? []).Select(c => (JsonNode?)new JsonObject
                {
                    ["name"] = new JsonObject { ["formattedName"] = (string?)c!["name"] ?? "" },
                    ["vcard"] = (string?)c["vcard"],
                }).ToArray());
                return new MessageContent("contacts", null, cards.ToJsonString(), quoted);
            case "reaction":
                return new MessageContent("reaction", null, new JsonObject { ["emoji"] = (string?)content["emoji"] ?? "" }.ToJsonString(),
                    (string?)content["target"]?["networkMessageId"]);
            default:
                return null;
        }
    }
}
