using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansSaas.Contracts.Messaging;
using OrleansSaas.Gateway.Problems;

namespace OrleansSaas.Gateway.Messaging;

/// <summary>
/// Checks a send request against the limits of the Cloud API contract (shared/CLOUD_API.md) and turns it
/// into the message content the session stores and sends. Errors name the JSON field, with its path.
/// </summary>
public static class MessageContentValidator
{
    private const int MaxText = 4096, MaxCaption = 1024, MaxFileName = 240, MaxLink = 2048, MaxPlace = 1000;
    private const int MaxButtons = 3, MaxButtonTitle = 20, MaxListRows = 10, MaxRowTitle = 24, MaxRowDescription = 72, MaxSectionTitle = 24;
    private const int MaxInteractiveBody = 1024, MaxHeaderFooter = 60, MaxContacts = 20, MaxMentions = 50, MaxId = 256;

    private static readonly string[] MediaTypes = ["image", "video", "audio", "voice", "document", "sticker"];
    public static readonly IReadOnlyList<string> Types = ["text", .. MediaTypes, "location", "contacts", "reaction", "buttons", "list", "template"];

    private static readonly JsonSerializerOptions DetailsJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static MessageContent? Validate(SendMessageRequest request, FieldErrors errors)
    {
        var type = request.Type ?? "text";
        if (!Types.Contains(type))
        {
            errors.Add("type", $"must be one of {string.Join(", ", Types)}.");
            return null;
        }
        RefuseOtherTypeObjects(request, type, errors);
        if (request.ReplyTo is { } replyTo && !IsId(replyTo)) errors.Add("replyTo", "is not a message id.");

        var content = type switch
        {
            "text" => Text(request, errors),
            "location" => Location(request.Location, errors),
            "contacts" => Contacts(request.Contacts, errors),
            "reaction" => Reaction(request.Reaction, errors),
            "buttons" => Buttons(request.Interactive, errors),
            "list" => List(request.Interactive, errors),
            "template" => Template(request.Template, errors),
            _ => Media(type, MediaObject(request, type), errors),
        };
        if (type != "text" && request.Text is not null) errors.Add("text", $"is only for type text; use the caption of {type}.");
        return errors.Any ? null : content! with { ReplyTo = type == "reaction" ? content!.ReplyTo : request.ReplyTo };
    }

    private static MessageContent? Text(SendMessageRequest request, FieldErrors errors)
    {
        CheckText(request.Text, "text", MaxText, required: true, errors);
        List<string>? mentions = null;
        if (request.Mentions is { } raw)
        {
            if (raw.Count > MaxMentions) errors.Add("mentions", $"must have at most {MaxMentions} numbers.");
            mentions = [];
            for (var i = 0; i < raw.Count && i < MaxMentions; i++)
            {
                var number = PhoneNumberField.Normalise(raw[i], out var error);
                if (error is not null) errors.Add($"mentions[{i}]", error);
                else mentions.Add(number!);
            }
        }
        return new MessageContent("text", request.Text, mentions is null ? null : Details(new { mentions }));
    }

    private static MessageContent? Media(string type, MediaReference? media, FieldErrors errors)
    {
        if (media is null)
        {
            errors.Add(type, $"is required for type {type}.");
            return null;
        }
        if ((media.MediaId is null) == (media.Link is null)) errors.Add(type, "needs exactly one of mediaId and link.");
        if (media.MediaId is { } id && !IsId(id)) errors.Add($"{type}.mediaId", "is not a media id.");
        if (media.Link is { } link && (link.Length > MaxLink || !Uri.TryCreate(link, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            errors.Add($"{type}.link", "must be an absolute http(s) URL.");
        var captioned = type is "image" or "video" or "document";
        if (media.Caption is not null && !captioned) errors.Add($"{type}.caption", $"is not allowed for type {type}.");
        if (captioned) CheckText(media.Caption, $"{type}.caption", MaxCaption, required: false, errors);
        if (media.FileName is not null && type != "document") errors.Add($"{type}.fileName", "is only for documents.");
        if (media.FileName is { } name && (name.Length == 0 || Characters(name) > MaxFileName || name.Any(c => char.IsControl(c) || c is '/' or '\\')))
            errors.Add($"{type}.fileName", $"must be 1–{MaxFileName} characters without control characters or slashes.");
        return new MessageContent(type, media.Caption, Details(new { media.MediaId, media.Link, media.FileName }));
    }

    private static MessageContent? Location(LocationDetails? location, FieldErrors errors)
    {
        if (location is null)
        {
            errors.Add("location", "is required for type location.");
            return null;
        }
        if (location.Latitude is not (>= -90 and <= 90)) errors.Add("location.latitude", "must be between -90 and 90.");
        if (location.Longitude is not (>= -180 and <= 180)) errors.Add("location.longitude", "must be between -180 and 180.");
        CheckText(location.Name, "location.name", MaxPlace, required: false, errors);
        CheckText(location.Address, "location.address", MaxPlace, required: false, errors);
        return new MessageContent("location", null, Details(location));
    }

    private static MessageContent? Contacts(IReadOnlyList<ContactCard>? contacts, FieldErrors errors)
    {
        if (contacts is not { Count: > 0 and <= MaxContacts })
        {
            errors.Add("contacts", $"must list 1–{MaxContacts} contact cards.");
            return null;
        }
        for (var i = 0; i < contacts.Count; i++)
        {
            var card = contacts[i];
            CheckText(card.Name?.FormattedName, $"contacts[{i}].name.formattedName", 200, required: true, errors);
            for (var p = 0; p < (card.Phones?.Count ?? 0); p++)
                CheckText(card.Phones![p].Phone, $"contacts[{i}].phones[{p}].phone", 32, required: true, errors);
            for (var e = 0; e < (card.Emails?.Count ?? 0); e++)
                if (card.Emails![e].Email is not { Length: > 2 and <= 254 } email || !email.Contains('@')) errors.Add($"contacts[{i}].emails[{e}].email", "is not an email address.");
        }
        return new MessageContent("contacts", null, Details(contacts));
    }

    private static MessageContent? Reaction(ReactionDetails? reaction, FieldErrors errors)
    {
        if (reaction is null)
        {
            errors.Add("reaction", "is required for type reaction.");
            return null;
        }
        if (reaction.MessageId is not { } target || !IsId(target)) errors.Add("reaction.messageId", "is required: the id of the message to react to.");
        // One emoji (possibly several code points, e.g. with skin tone), or empty to remove the reaction.
        if (reaction.Emoji is null || new StringInfo(reaction.Emoji).LengthInTextElements > 1 || reaction.Emoji.Any(char.IsAsciiLetterOrDigit))
            errors.Add("reaction.emoji", "must be a single emoji, or empty to remove a reaction.");
        return new MessageContent("reaction", null, Details(new { emoji = reaction.Emoji }), reaction.MessageId);
    }

    private static MessageContent? Buttons(InteractiveDetails? interactive, FieldErrors errors)
    {
        if (!InteractiveFrame(interactive, "buttons", errors)) return null;
        if (interactive!.Buttons is not { Count: > 0 and <= MaxButtons } buttons)
        {
            errors.Add("interactive.buttons", $"must have 1–{MaxButtons} buttons.");
            return null;
        }
        for (var i = 0; i < buttons.Count; i++)
        {
            CheckText(buttons[i].Id, $"interactive.buttons[{i}].id", MaxId, required: true, errors);
            CheckText(buttons[i].Title, $"interactive.buttons[{i}].title", MaxButtonTitle, required: true, errors);
        }
        if (buttons.Select(b => b.Id).Distinct().Count() != buttons.Count || buttons.Select(b => b.Title).Distinct().Count() != buttons.Count)
            errors.Add("interactive.buttons", "ids and titles must be unique.");
        if (interactive.Sections is not null || interactive.Button is not null) errors.Add("interactive", "buttons messages have no sections or list button.");
        return new MessageContent("buttons", interactive.Body, Details(interactive));
    }

    private static MessageContent? List(InteractiveDetails? interactive, FieldErrors errors)
    {
        if (!InteractiveFrame(interactive, "list", errors)) return null;
        CheckText(interactive!.Button, "interactive.button", MaxButtonTitle, required: true, errors);
        if (interactive.Sections is not { Count: > 0 } sections)
        {
            errors.Add("interactive.sections", "must have at least one section.");
            return null;
        }
        var rows = 0;
        for (var s = 0; s < sections.Count; s++)
        {
            CheckText(sections[s].Title, $"interactive.sections[{s}].title", MaxSectionTitle, required: sections.Count > 1, errors);
            var sectionRows = sections[s].Rows ?? [];
            if (sectionRows.Count == 0) errors.Add($"interactive.sections[{s}].rows", "must have at least one row.");
            for (var r = 0; r < sectionRows.Count; r++, rows++)
            {
                CheckText(sectionRows[r].Id, $"interactive.sections[{s}].rows[{r}].id", 200, required: true, errors);
                CheckText(sectionRows[r].Title, $"interactive.sections[{s}].rows[{r}].title", MaxRowTitle, required: true, errors);
                CheckText(sectionRows[r].Description, $"interactive.sections[{s}].rows[{r}].description", MaxRowDescription, required: false, errors);
            }
        }
        if (rows > MaxListRows) errors.Add("interactive.sections", $"must have at most {MaxListRows} rows in total.");
        if (interactive.Buttons is not null) errors.Add("interactive.buttons", "is only for type buttons.");
        return new MessageContent("list", interactive.Body, Details(interactive));
    }

    private static MessageContent? Template(TemplateDetails? template, FieldErrors errors)
    {
        if (template is null)
        {
            errors.Add("template", "is required for type template.");
            return null;
        }
        if (template.Name is not { Length: > 0 and <= 512 } name || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_'))
            errors.Add("template.name", "is required: the template's name (lower-case letters, digits and underscores).");
        if (template.Language is not { Length: >= 2 and <= 15 } language || !language.All(c => char.IsAsciiLetter(c) || c == '_'))
            errors.Add("template.language", "is required: a language code such as en or en_US.");
        System.Text.Json.Nodes.JsonNode? components = null;
        if (template.Components is { } raw)
        {
            if (raw.ValueKind != System.Text.Json.JsonValueKind.Array || raw.GetArrayLength() > 20
                || raw.EnumerateArray().Any(c => c.ValueKind != System.Text.Json.JsonValueKind.Object || !c.TryGetProperty("type", out var t) || t.ValueKind != System.Text.Json.JsonValueKind.String))
                errors.Add("template.components", "must be an array of at most 20 objects, each with a string type (header, body, button).");
            else if (raw.GetRawText().Length > 16_384) errors.Add("template.components", "must be at most 16 KiB of JSON.");
            else components = System.Text.Json.Nodes.JsonNode.Parse(raw.GetRawText());
        }
        return new MessageContent("template", null, Details(new { name = template.Name, language = template.Language, components }));
    }

    private static bool InteractiveFrame(InteractiveDetails? interactive, string type, FieldErrors errors)
    {
        if (interactive is null)
        {
            errors.Add("interactive", $"is required for type {type}.");
            return false;
        }
        CheckText(interactive.Body, "interactive.body", MaxInteractiveBody, required: true, errors);
        CheckText(interactive.Header, "interactive.header", MaxHeaderFooter, required: false, errors);
        CheckText(interactive.Footer, "interactive.footer", MaxHeaderFooter, required: false, errors);
        return true;
    }

    private static void RefuseOtherTypeObjects(SendMessageRequest request, string type, FieldErrors errors)
    {
        (string Name, object? Value)[] objects =
        [
            ("image", request.Image), ("video", request.Video), ("audio", request.Audio), ("voice", request.Voice),
            ("document", request.Document), ("sticker", request.Sticker), ("location", request.Location), ("contacts", request.Contacts),
            ("reaction", request.Reaction), ("interactive", request.Interactive), ("mentions", request.Mentions), ("template", request.Template),
        ];
        var allowed = type switch { "buttons" or "list" => "interactive", "text" => "mentions", _ => type };
        foreach (var (name, value) in objects)
            if (value is not null && name != allowed) errors.Add(name, $"does not belong to a message of type {type}.");
    }

    /// <summary>The media object of a media message (null for other types).</summary>
    public static MediaReference? MediaObject(SendMessageRequest request, string type) => type switch
    {
        "image" => request.Image,
        "video" => request.Video,
        "audio" => request.Audio,
        "voice" => request.Voice,
        "document" => request.Document,
        "sticker" => request.Sticker,
        _ => null,
    };

    private static void CheckText(string? value, string field, int max, bool required, FieldErrors errors)
    {
        if (value is null)
        {
            if (required) errors.Add(field, "is required.");
            return;
        }
        if (value.Length == 0 && required) errors.Add(field, "is required.");
        else if (Characters(value) > max) errors.Add(field, $"must be at most {max} characters.");
        else if (value.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))) errors.Add(field, "must not contain control characters.");
    }

    /// <summary>
    /// A text's length as the limits count it: Unicode code points, so an emoji outside the Basic Multilingual Plane
    /// (two UTF-16 units) is one character, and a composed one (👍🏽: thumb and skin tone) is as many as it has code points.
    /// </summary>
    public static int Characters(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes()) count++;
        return count;
    }

    private static bool IsId(string value) => value.Length is > 0 and <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    private static string Details<T>(T value) => JsonSerializer.Serialize(value, DetailsJson);
}
