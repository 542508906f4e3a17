namespace OrleansSaas.Gateway.Messaging;

/// <summary>
/// Body of POST /v1/sessions/{id}/messages. <c>type</c> (default "text") names the one type object that must be
/// present, as in the Cloud API: e.g. <c>{"to": "+1…", "type": "image", "image": {"mediaId": "med_…", "caption": "…"}}</c>.
/// </summary>
public sealed record SendMessageRequest(
    string? To,
    string? Type,
    string? Text,
    string? ReplyTo,
    IReadOnlyList<string>? Mentions,
    MediaReference? Image,
    MediaReference? Video,
    MediaReference? Audio,
    MediaReference? Voice,
    MediaReference? Document,
    MediaReference? Sticker,
    LocationDetails? Location,
    IReadOnlyList<ContactCard>? Contacts,
    ReactionDetails? Reaction,
    InteractiveDetails? Interactive,
    TemplateDetails? Template = null);

/// <summary>
/// A template approved in the WhatsApp Manager: its name, language code (e.g. "en_US") and, when it has variables,
/// the components in the Cloud API's own form (e.g. <c>[{"type":"body","parameters":[{"type":"text","text":"Ada"}]}]</c>).
/// The only type a Cloud API session may send outside the 24-hour window.
/// </summary>
public sealed record TemplateDetails(string? Name, string? Language, System.Text.Json.JsonElement? Components);

/// <summary>An uploaded media id or a public link (exactly one), with caption and file name where the type has them.</summary>
public sealed record MediaReference(string? MediaId, string? Link, string? Caption, string? FileName);

public sealed record LocationDetails(double? Latitude, double? Longitude, string? Name, string? Address);

public sealed record ContactCard(ContactName? Name, IReadOnlyList<ContactPhone>? Phones, IReadOnlyList<ContactEmail>? Emails, ContactOrganization? Organization);

public sealed record ContactName(string? FormattedName, string? FirstName, string? LastName);

public sealed record ContactPhone(string? Phone, string? Type);

public sealed record ContactEmail(string? Email, string? Type);

public sealed record ContactOrganization(string? Company, string? Title);

/// <summary>An empty emoji removes an earlier reaction.</summary>
public sealed record ReactionDetails(string? MessageId, string? Emoji);

/// <summary>Reply buttons (type "buttons": 1–3 buttons) or a list (type "list": a button label and up to 10 rows in sections).</summary>
public sealed record InteractiveDetails(
    string? Header,
    string? Body,
    string? Footer,
    IReadOnlyList<ReplyButton>? Buttons,
    string? Button,
    IReadOnlyList<ListSection>? Sections);

public sealed record ReplyButton(string? Id, string? Title);

public sealed record ListSection(string? Title, IReadOnlyList<ListRow>? Rows);

public sealed record ListRow(string? Id, string? Title, string? Description);
