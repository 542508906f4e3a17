using OrleansSaas.Contracts.Webhooks;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Webhooks;
using OrleansSaas.Gateway.Problems;
using OrleansSaas.Gateway.Sessions;

namespace OrleansSaas.Gateway.Webhooks;

/// <param name="SessionIds">Only these sessions' events; absent or empty for all.</param>
/// <param name="EventTypes">Only these event types; absent or empty for all.</param>
public sealed record CreateWebhookRequest(string? Url, string? Description, List<string>? SessionIds, List<string>? EventTypes);

/// <summary>Absent fields keep their value; an empty list widens a filter back to all; <c>active: true</c> re-enables a disabled subscription.</summary>
public sealed record UpdateWebhookRequest(string? Url, string? Description, List<string>? SessionIds, List<string>? EventTypes, bool? Active);

/// <param name="OverlapSeconds">How long the previous secret still signs deliveries too (default 24 h; 0 ends it at once).</param>
public sealed record RotateSecretRequest(int? OverlapSeconds);

/// <summary>Either one event (<c>eventId</c>) or a range of sequence numbers (<c>fromSeq</c>, optional <c>toSeq</c>).</summary>
public sealed record ReplayRequest(string? EventId, long? FromSeq, long? ToSeq);

public sealed record ReplayResponse(int Queued);

public sealed record WebhookListResponse(IReadOnlyList<WebhookView> Items, string? NextCursor);

public sealed record DeliveryListResponse(IReadOnlyList<DeliveryRecord> Items, string? NextCursor);

public sealed record DeliveryDetailResponse(DeliveryRecord Delivery, IReadOnlyList<AttemptRecord> Attempts);

/// <summary>Gateway-side rules for subscriptions (bound from the "Webhooks" section, which the silos share).</summary>
public sealed class WebhookApiOptions
{
    public const string Section = "Webhooks";

    /// <summary>Refuse plain-http receiver URLs (recommended in production; local development receivers are usually http).</summary>
    public bool RequireHttps { get; set; }

    /// <summary>How long the previous secret keeps signing after a rotation when the request does not say.</summary>
    public TimeSpan DefaultSecretOverlap { get; set; } = TimeSpan.FromHours(24);
}

/// <summary>Checks subscription fields and names the one that is wrong.</summary>
public static class WebhookRules
{
    public const int MaxUrlLength = 2048;
    public const int MaxDescriptionLength = 200;
    public const int MaxSessionIds = 100;
    public const int MaxReplayRange = 10_000;
    public static readonly TimeSpan MaxOverlap = TimeSpan.FromDays(30);

    /// <summary>The fields create and update share: the URL, the description, and the two filters (null = all).</summary>
    public static (string? Url, List<string>? SessionIds, List<string>? EventTypes) Fields(
        string? url, string? description, List<string>? sessionIds, List<string>? eventTypes, bool urlRequired, bool requireHttps, FieldErrors errors)
    {
        var checkedUrl = Url(url, urlRequired, requireHttps, errors);
        Description(description, errors);
        return (checkedUrl, SessionIds(sessionIds, errors), EventTypeList(eventTypes, errors));
    }

    private static string? Url(string? url, bool required, bool requireHttps, FieldErrors errors)
    {
        if (url is null)
        {
            if (required) errors.Add("url", "is required: the receiver's absolute http(s) URL.");
            return null;
        }
        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && (requireHttps || uri.Scheme != Uri.UriSchemeHttp)))
        {
            errors.Add("url", requireHttps ? $"must be an absolute https URL of at most {MaxUrlLength} characters." : $"must be an absolute http or https URL of at most {MaxUrlLength} characters.");
            return null;
        }
        if (uri.UserInfo.Length > 0) errors.Add("url", "must not carry credentials (they would show in listings); authenticate deliveries by their signature.");
        if (uri.Fragment.Length > 0) errors.Add("url", "must not have a #fragment.");
        return url;
    }

    private static void Description(string? description, FieldErrors errors)
    {
        if (description is { Length: > MaxDescriptionLength }) errors.Add("description", $"must be at most {MaxDescriptionLength} characters.");
    }

    /// <summary>Null for "all sessions" (absent or empty).</summary>
    private static List<string>? SessionIds(List<string>? ids, FieldErrors errors)
    {
        if (ids is null || ids.Count == 0) return null;
        if (ids.Count > MaxSessionIds) errors.Add("sessionIds", $"must list at most {MaxSessionIds} sessions.");
        for (var i = 0; i < ids.Count; i++)
            if (ids[i] is null || !SessionRoutes.IsWellFormed(ids[i])) errors.Add($"sessionIds[{i}]", "is not a session id.");
        return ids.Distinct().ToList();
    }

    /// <summary>Null for "all types" (absent or empty).</summary>
    private static List<string>? EventTypeList(List<string>? types, FieldErrors errors)
    {
        if (types is null || types.Count == 0) return null;
        for (var i = 0; i < types.Count; i++)
            if (types[i] is null || !EventTypes.All.Contains(types[i]))
                errors.Add($"eventTypes[{i}]", $"must be one of {string.Join(", ", EventTypes.All)}.");
        return types.Distinct().ToList();
    }
}
