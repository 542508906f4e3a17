using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansSaas.Benchmarks.Client;

/// <summary>The tenant API, as a client of the product calls it (README "API").</summary>
public sealed class GatewayApi(HttpClient http)
{
    public Task<ApiReply> CreateSessionAsync(string name, CancellationToken cancellation) =>
        CallAsync(HttpMethod.Post, "/v1/sessions", new { name }, true, cancellation);

    /// <summary>A session on the given engine, with that engine's settings object (e.g. engine cloud_api, field cloudApi).</summary>
    public Task<ApiReply> CreateEngineSessionAsync(string name, string engine, string settingsField, object settings, CancellationToken cancellation) =>
        CallAsync(HttpMethod.Post, "/v1/sessions", new Dictionary<string, object> { ["name"] = name, ["engine"] = engine, [settingsField] = settings }, true, cancellation);

    /// <summary>One page of the tenant's event log after a position, optionally of one type.</summary>
    public Task<ApiReply> ListEventsAsync(long after, string? type, int limit, CancellationToken cancellation) =>
        CallAsync(HttpMethod.Get, $"/v1/events?after={after}&limit={limit}{(type is null ? "" : "&type=" + Uri.EscapeDataString(type))}", null, true, cancellation);

    public Task<ApiReply> GetQrAsync(string sessionId, CancellationToken cancellation) =>
        CallAsync(HttpMethod.Get, $"/v1/sessions/{sessionId}/qr", null, false, cancellation);

    /// <summary>Development endpoint: a simulated phone with this number scans the session's QR code.</summary>
    public Task<ApiReply> ScanAsync(string sessionId, string phoneNumber, CancellationToken cancellation) =>
        CallAsync(HttpMethod.Post, $"/v1/sessions/{sessionId}/dev/scan", new { phoneNumber }, true, cancellation);

    public Task<ApiReply> GetSessionAsync(string sessionId, CancellationToken cancellation) =>
        CallAsync(HttpMethod.Get, $"/v1/sessions/{sessionId}", null, true, cancellation);

    public Task<ApiReply> SendTextAsync(string sessionId, string to, string text, string? idempotencyKey, CancellationToken cancellation)
    {
        var request = Request(HttpMethod.Post, $"/v1/sessions/{sessionId}/messages", new { to, text });
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return ApiCall.SendAsync(http, request, false, cancellation);
    }

    /// <summary>A webhook subscription for the given event types (its reply carries the signing secret).</summary>
    public Task<ApiReply> CreateWebhookAsync(string url, IReadOnlyList<string> eventTypes, CancellationToken cancellation) =>
        CallAsync(HttpMethod.Post, "/v1/webhooks", new { url, eventTypes }, true, cancellation);

    public Task<ApiReply> PingAsync(CancellationToken cancellation) => CallAsync(HttpMethod.Get, "/v1/ping", null, false, cancellation);

    /// <summary>Every inbound message text of a session, following the pagination cursor; null if a page failed.</summary>
    public async Task<List<string>?> ListInboundTextsAsync(string sessionId, CancellationToken cancellation)
    {
        var texts = new List<string>();
        await foreach (var item in PagesAsync($"/v1/sessions/{sessionId}/messages?direction=inbound&limit=200", cancellation))
        {
            if (item is null) return null;
            if ((string?)item["text"] is { } text) texts.Add(text);
        }
        return texts;
    }

    /// <summary>Every session of the tenant (from the registry, so no session is woken up by asking); null if a page failed.</summary>
    public async Task<List<JsonNode>?> ListSessionsAsync(CancellationToken cancellation)
    {
        var sessions = new List<JsonNode>();
        await foreach (var item in PagesAsync("/v1/sessions?limit=200", cancellation))
        {
            if (item is null) return null;
            sessions.Add(item);
        }
        return sessions;
    }

    // Yields null once and stops when a page cannot be read, so callers can retry the whole listing.
    private async IAsyncEnumerable<JsonNode?> PagesAsync(string first, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellation)
    {
        string? cursor = null;
        do
        {
            var page = await CallAsync(HttpMethod.Get, cursor is null ? first : $"{first}&cursor={Uri.EscapeDataString(cursor)}", null, true, cancellation);
            if (page.Status != 200 || page.Body is null)
            {
                yield return null;
                yield break;
            }
            foreach (var item in page.Body["items"]!.AsArray()) yield return item!;
            cursor = (string?)page.Body["nextCursor"];
        } while (cursor is not null);
    }

    private Task<ApiReply> CallAsync(HttpMethod method, string path, object? body, bool readBody, CancellationToken cancellation) =>
        ApiCall.SendAsync(http, Request(method, path, body), readBody, cancellation);

    private static HttpRequestMessage Request(HttpMethod method, string path, object? body) =>
        new(method, path) { Content = body is null ? null : JsonContent.Create(body) };
}
