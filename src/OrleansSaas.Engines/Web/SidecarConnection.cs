using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace OrleansSaas.Engines.Web;

/// <summary>An error reply of the sidecar (PROTOCOL.md, Errors), or its absence (<c>engine_unavailable</c>).</summary>
public sealed class SidecarException(string code, string message, string? field = null) : Exception(message)
{
    public string Code { get; } = code;
    public string? Field { get; } = field;
}

/// <summary>Serves one request the sidecar makes of the silo; returns the result object or throws <see cref="SidecarException"/>.</summary>
public delegate Task<JsonObject> SidecarRequestHandler(string method, JsonObject parameters);

/// <summary>
/// JSON lines over a sidecar process's stdio: our requests with ids, a bound on those in flight, timeouts; the
/// sidecar's requests served off the read loop (so stdout is always drained) and its events handed on in order.
/// </summary>
public sealed class SidecarConnection : IAsyncDisposable
{
    private readonly Process _process;
    private readonly SidecarRequestHandler _serve;
    private readonly Action<string, JsonObject> _onEvent;
    private readonly ILogger _logger;
    private readonly TimeSpan _timeout;
    private readonly SemaphoreSlim _inFlight;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonObject>> _pending = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _nextId;

    public SidecarConnection(Process process, SidecarRequestHandler serve, Action<string, JsonObject> onEvent, int maxInFlight, TimeSpan timeout, ILogger logger)
    {
        _process = process;
        _serve = serve;
        _onEvent = onEvent;
        _logger = logger;
        _timeout = timeout;
        _inFlight = new SemaphoreSlim(maxInFlight, maxInFlight);
        _ = Task.Run(ReadLoopAsync);
    }

    /// <summary>Completes when the sidecar's stdout ended (it exited or was killed).</summary>
    public Task Closed => _closed.Task;

    public async Task<JsonObject> RequestAsync(string method, JsonObject? parameters = null, TimeSpan? timeout = null)
    {
        if (_closed.Task.IsCompleted) throw Unavailable();
        var wait = timeout ?? _timeout;
        if (!await _inFlight.WaitAsync(wait)) throw new SidecarException("busy", "Too many requests in flight to the sidecar.");
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonObject>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        try
        {
            await WriteAsync(new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() });
            return await reply.Task.WaitAsync(wait);
        }
        catch (TimeoutException)
        {
            throw new SidecarException("timeout", $"The sidecar did not answer {method} within {wait.TotalSeconds:0.#} s.");
        }
        catch (IOException)
        {
            throw Unavailable();
        }
        finally
        {
            _pending.TryRemove(id, out _);
            _inFlight.Release();
        }
    }

    private static SidecarException Unavailable() => new("engine_unavailable", "The web engine's sidecar is not running.");

    private async Task WriteAsync(JsonObject line)
    {
        var bytes = Encoding.UTF8.GetBytes(line.ToJsonString() + "\n");
        await _writeLock.WaitAsync();
        try
        {
            var stdin = _process.StandardInput.BaseStream;
            await stdin.WriteAsync(bytes);
            await stdin.FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            var reader = _process.StandardOutput;
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length == 0) continue;
                JsonObject? message;
                try
                {
                    message = JsonNode.Parse(line) as JsonObject;
                }
                catch (JsonException)
                {
                    message = null;
                }
                if (message is null)
                {
                    _logger.LogWarning("The sidecar wrote a line that is not a JSON object");
                    continue;
                }
                Dispatch(message);
            }
        }
        catch (Exception error) when (error is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
        finally
        {
            _closed.TrySetResult();
            foreach (var pending in _pending.Values) pending.TrySetException(Unavailable());
        }
    }

    private void Dispatch(JsonObject message)
    {
        if (message["event"] is JsonValue eventName)
        {
            _onEvent(eventName.GetValue<string>(), message["params"] as JsonObject ?? new JsonObject());
        }
        else if (message["method"] is JsonValue method)
        {
            var id = message["id"]?.DeepClone();
            _ = Task.Run(() => ServeAsync(id, method.GetValue<string>(), message["params"] as JsonObject ?? new JsonObject()));
        }
        else if (message["id"] is JsonValue idValue && idValue.TryGetValue<long>(out var id) && _pending.TryGetValue(id, out var pending))
        {
            if (message["ok"]?.GetValue<bool>() == true) pending.TrySetResult(message["result"] as JsonObject ?? new JsonObject());
            else
            {
                var error = message["error"] as JsonObject;
                pending.TrySetException(new SidecarException((string?)error?["code"] ?? "internal", (string?)error?["message"] ?? "The sidecar refused the request.", (string?)error?["field"]));
            }
        }
    }

    private async Task ServeAsync(JsonNode? id, string method, JsonObject parameters)
    {
        JsonObject reply;
        try
        {
            reply = new JsonObject { ["id"] = id, ["ok"] = true, ["result"] = await _serve(method, parameters) };
        }
        catch (Exception error)
        {
            var code = error is SidecarException known ? known.Code : "internal";
            if (error is not SidecarException) _logger.LogWarning(error, "Serving the sidecar's {Method} failed", method);
            reply = new JsonObject { ["id"] = id, ["ok"] = false, ["error"] = new JsonObject { ["code"] = code, ["message"] = error.Message } };
        }
        try
        {
            await WriteAsync(reply);
        }
        catch (IOException)
        {
            // The sidecar is gone; its own request failed with it.
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the sidecar closes its sockets and exits when stdin ends
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(12));
        }
        catch (Exception error) when (error is TimeoutException or IOException or InvalidOperationException)
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        }
        _process.Dispose();
    }
}
