using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Options;
using OrleansSaas.Outbound;

namespace OrleansSaas.Grains.Webhooks;

/// <summary>What a receiver did with one request: its status (null when it never answered) and how long it took.</summary>
public sealed record WebhookResponse(int? StatusCode, int LatencyMilliseconds, string? Error, TimeSpan? RetryAfter);

/// <summary>
/// Posts signed event bodies. One pooled client for the silo, through the outbound guard (internal addresses
/// are never connected to, redirects are not followed: a receiver must answer at its own URL); each request
/// has its own timeout.
/// </summary>
public sealed class WebhookSender(IOptions<WebhookOptions> options, TimeProvider clock, OutboundGuard guard) : IDisposable
{
    /// <summary>All a tenant learns about a receiver the guard refuses: no status, no kind of network error.</summary>
    public const string Refused = "refused";

    private readonly HttpClient _http = new(Handler(guard)) { Timeout = Timeout.InfiniteTimeSpan };

    private static SocketsHttpHandler Handler(OutboundGuard guard)
    {
        var handler = guard.CreateHandler();
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(2);
        handler.ConnectTimeout = TimeSpan.FromSeconds(5);
        return handler;
    }

    public async Task<WebhookResponse> PostAsync(string url, IReadOnlyList<string> secrets, string eventId, string eventType, string body)
    {
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add(WebhookSignature.IdHeader, eventId);
        request.Headers.Add(WebhookSignature.TypeHeader, eventType);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Header(secrets, timestamp, body));
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("OrleansSaas-Webhooks", "1.0"));

        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return new WebhookResponse((int)response.StatusCode, Elapsed(started), null, RetryAfter(response));
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new WebhookResponse(null, Elapsed(started), $"no answer within {options.Value.RequestTimeout.TotalSeconds:0.###} s", null);
        }
        catch (HttpRequestException error) when (OutboundGuard.IsRefusal(error))
        {
            return new WebhookResponse(null, Elapsed(started), Refused, null);
        }
        catch (HttpRequestException error)
        {
            return new WebhookResponse(null, Elapsed(started), error.HttpRequestError switch
            {
                HttpRequestError.ConnectionError => "connection failed",
                HttpRequestError.NameResolutionError => "host name not found",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                _ => "request failed: " + error.HttpRequestError,
            }, null);
        }
    }

    public void Dispose() => _http.Dispose();

    private static int Elapsed(long started) => (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow(),
        _ => null,
    };
}
