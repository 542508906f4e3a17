using System.Text;
using OrleansSaas.Data.Events;

namespace OrleansSaas.Gateway.Events;

/// <summary>
/// A Server-Sent Events stream of a tenant's events after a sequence number. Each message's id is the event's
/// sequence number, so a browser's EventSource (or any client sending Last-Event-ID) resumes without a gap.
/// </summary>
public sealed class EventStreamResult(EventStore events, string tenantId, long after, EventFilter filter) : IResult
{
    private const int Batch = 500;
    // New events are found by reading the log; a quarter second bounds the delay without loading PostgreSQL.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    // Comments keep proxies and load balancers from closing an idle stream.
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    public async Task ExecuteAsync(HttpContext http)
    {
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var cancellation = http.RequestAborted;
        var position = after;
        await WriteAsync(response, $": streaming events after {position}\n\n", cancellation);
        var lastWrite = DateTimeOffset.UtcNow;
        try
        {
            while (!cancellation.IsCancellationRequested)
            {
                var batch = await events.ListAsync(tenantId, position, Batch, filter);
                if (batch.Count > 0)
                {
                    var text = new StringBuilder();
                    foreach (var stored in batch)
                        text.Append("id: ").Append(stored.Seq).Append("\nevent: ").Append(stored.Type)
                            .Append("\ndata: ").Append(EventEnvelope.Write(stored)).Append("\n\n");
                    await WriteAsync(response, text.ToString(), cancellation);
                    position = batch[^1].Seq;
                    lastWrite = DateTimeOffset.UtcNow;
                    if (batch.Count == Batch) continue;
                }
                else if (DateTimeOffset.UtcNow - lastWrite > KeepAliveInterval)
                {
                    await WriteAsync(response, ": keep-alive\n\n", cancellation);
                    lastWrite = DateTimeOffset.UtcNow;
                }
                await Task.Delay(PollInterval, cancellation);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // The client went away; it resumes with Last-Event-ID.
        }
    }

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellation)
    {
        await response.WriteAsync(text, cancellation);
        await response.Body.FlushAsync(cancellation);
    }
}
