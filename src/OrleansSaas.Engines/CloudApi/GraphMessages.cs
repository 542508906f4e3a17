using System.Text.Json.Nodes;
using OrleansSaas.Contracts.Messaging;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>
/// Turns a stored message (our content model, checked by the gateway against the same limits) into the
/// Graph API's send body. Media by our id arrive here already replaced by the Graph media id.
/// </summary>
public static class GraphMessages
{
    public static JsonObject Build(OutboundMessage message, string? graphMediaId)
    {
        var content = message.Content;
        var details = content.Details is null ? new JsonObject() : JsonNode.Parse(content.Details)!;
        var type = content.Type;
        var body = new JsonObject
        {
            ["messaging_product"] = "whatsapp",
            ["recipient_type"] = "individual",
            // A business-scoped user id goes in "recipient" (shared/CLOUD_API.md: sends may address it; the field name is unverified).
            [PeerId.IsUserId(message.To) ? "recipient" : "to"] = message.To,
            // Echoed in status webhooks: ties a status to our message even before the send's reply is recorded.
            ["biz_opaque_callback_data"] = message.Id,
        };
        switch (type)
        {
            case "text":
                body["type"] = "text";
                body["text"] = new JsonObject { ["body"] = content.Text, ["preview_url"] = false };
                break;
            case "image" or "video" or "document" or "audio" or "voice" or "sticker":
                var graphType = type == "voice" ? "audio" : type;
                var media = new JsonObject();
                if (graphMediaId is not null) media["id"] = graphMediaId;
                else media["link"] = (string?)details["link"];
                if (content.Text is not null && type is "image" or "video" or "document") media["caption"] = content.Text;
                if (type == "document" && (string?)details["fileName"] is { } fileName) media["filename"] = fileName;
                body["type"] = graphType;
                body[graphType] = media;
                break;
            case "location":
                body["type"] = "location";
                body["location"] = Pick(details, ("latitude", "latitude"), ("longitude", "longitude"), ("name", "name"), ("address", "address"));
                break;
            case "contacts":
                body["type"] = "contacts";
                body["contacts"] = new JsonArray(details.AsArray().Select(c => (JsonNode?)Contact(c!)).ToArray());
                break;
            case "reaction":
                body["type"] = "reaction";
                body["reaction"] = new JsonObject { ["message_id"] = message.ReplyToNetworkId, ["emoji"] = (string?)details["emoji"] ?? "" };
                break;
            case "buttons" or "list":
                body["type"] = "interactive";
                body["interactive"] = Interactive(type, details);
                break;
            case "template":
                body["type"] = "template";
                var template = new JsonObject { ["name"] = (string?)details["name"], ["language"] = new JsonObject { ["code"] = (string?)details["language"] } };
                if (details["components"] is JsonArray components) template["components"] = components.DeepClone();
                body["template"] = template;
                break;
            default:
                throw new NotSupportedException($"Message type {type} has no Cloud API form.");
        }
        if (type != "reaction" && message.ReplyToNetworkId is { } quoted) body["context"] = new JsonObject { ["message_id"] = quoted };
        return body;
    }

    private static JsonObject Contact(JsonNode card)
    {
        var contact = new JsonObject
        {
            ["name"] = Pick(card["name"], ("formattedName", "formatted_name"), ("firstName", "first_name"), ("lastName", "last_name")),
        };
        if (card["phones"] is JsonArray phones) contact["phones"] = new JsonArray(phones.Select(p => (JsonNode?)Pick(p, ("phone", "phone"), ("type", "type"))).ToArray());
        if (card["emails"] is JsonArray emails) contact["emails"] = new JsonArray(emails.Select(e => (JsonNode?)Pick(e, ("email", "email"), ("type", "type"))).ToArray());
        if (card["organization"] is JsonObject org) contact["org"] = Pick(org, ("company", "company"), ("title", "title"));
        return contact;
    }

    private static JsonObject Interactive(string type, JsonNode details)
    {
        var interactive = new JsonObject { ["type"] = type == "buttons" ? "button" : "list" };
        if ((string?)details["header"] is { } header) interactive["header"] = new JsonObject { ["type"] = "text", ["text"] = header };
        interactive["body"] = new JsonObject { ["text"] = (string?)details["body"] };
        if ((string?)details["footer"] is { } footer) interactive["footer"] = new JsonObject { ["text"] = footer };
        if (type == "buttons")
        {
            var buttons = details["buttons"]!.AsArray().Select(b => (JsonNode?)new JsonObject
            {
                ["type"] = "reply",
                ["reply"] = new JsonObject { ["id"] = (string?)b!["id"], ["title"] = (string?)b["title"] },
            });
            interactive["action"] = new JsonObject { ["buttons"] = new JsonArray(buttons.ToArray()) };
        }
        else
        {
            var sections = details["sections"]!.AsArray().Select(s =>
            {
                var section = new JsonObject();
                if ((string?)s!["title"] is { } title) section["title"] = title;
                section["rows"] = new JsonArray(s["rows"]!.AsArray().Select(r => (JsonNode?)Pick(r, ("id", "id"), ("title", "title"), ("description", "description"))).ToArray());
                return (JsonNode?)section;
            });
            interactive["action"] = new JsonObject { ["button"] = (string?)details["button"], ["sections"] = new JsonArray(sections.ToArray()) };
        }
        return interactive;
    }

    /// <summary>Copies the present fields under their Graph names.</summary>
    private static JsonObject Pick(JsonNode? source, params (string From, string To)[] fields)
    {
        var target = new JsonObject();
        foreach (var (from, to) in fields)
            if (source?[from] is { } value) target[to] = value.DeepClone();
        return target;
    }
}
