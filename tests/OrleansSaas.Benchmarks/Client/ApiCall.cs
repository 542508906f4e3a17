using System.Diagnostics;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace OrleansSaas.Benchmarks.Client;

/// <summary>
/// What one HTTP call came back with. <see cref="Outcome"/> is the status code as text, or what went wrong
/// below HTTP ("timeout", "connection-refused", "connection-error"), so outcomes can be counted together.
/// </summary>
public sealed record ApiReply(string Outcome, int Status, JsonNode? Body, double Milliseconds, TimeSpan? RetryAfter)
{
    /// <summary>The JSON body of a reply that must have the given status; anything else aborts the run with what came back.</summary>
    public JsonNode Expect(int status, string what) =>
        Status == status && Body is not null ? Body : throw new InvalidOperationException($"{what}: expected {status}, got {Outcome} {Body?.ToJsonString()}");

    /// <summary>Worth another try: overload, a cluster or database that is not available right now, or no answer at all.</summary>
    public bool IsTransient => Status is 0 or 429 or >= 500;
}

public static class ApiCall
{
    public static async Task<ApiReply> SendAsync(HttpClient http, HttpRequestMessage request, bool readBody, CancellationToken cancellation)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await http.SendAsync(request, cancellation);
            var text = await response.Content.ReadAsStringAsync(cancellation);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            var body = readBody && text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true
                ? JsonNode.Parse(text)
                : null;
            return new ApiReply(((int)response.StatusCode).ToString(), (int)response.StatusCode, body, elapsed, response.Headers.RetryAfter?.Delta);
        }
        catch (Exception error) when (!cancellation.IsCancellationRequested && error is HttpRequestException or TaskCanceledException)
        {
            var outcome = error switch
            {
                TaskCanceledException => "timeout",
                HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } } => "connection-refused",
                _ => "connection-error",
            };
            return new ApiReply(outcome, 0, null, Stopwatch.GetElapsedTime(started).TotalMilliseconds, null);
        }
    }

    /// <summary>Repeats a call while its outcome is transient, up to <paramref name="attempts"/> times in all.</summary>
    public static async Task<ApiReply> WithRetriesAsync(Func<Task<ApiReply>> call, int attempts, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            var reply = await call();
            if (!reply.IsTransient || attempt >= attempts) return reply;
            await Task.Delay(reply.RetryAfter is { } after && after < TimeSpan.FromSeconds(5) ? after : TimeSpan.FromMilliseconds(250 * attempt), cancellation);
        }
    }

    /// <summary>Repeats a read that answered null (a page failed) for up to a minute: an audit must not give up on a passing hiccup.</summary>
    public static async Task<T> UntilReadAsync<T>(Func<Task<T?>> read, string what, CancellationToken cancellation) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (await read() is { } value) return value;
            if (clock.Elapsed > TimeSpan.FromMinutes(1)) throw new InvalidOperationException($"Could not read {what} for a minute.");
            await Task.Delay(TimeSpan.FromSeconds(1), cancellation);
        }
    }
}
