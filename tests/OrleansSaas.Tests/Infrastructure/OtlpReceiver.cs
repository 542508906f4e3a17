using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>One exported span, as an OTLP collector would see it.</summary>
public sealed record ExportedSpan(string Service, string Scope, string TraceId, string SpanId, string ParentSpanId, string Name,
    IReadOnlyDictionary<string, string> Attributes);

/// <summary>
/// A stand-in OpenTelemetry collector on loopback: accepts OTLP/HTTP protobuf exports (traces, metrics,
/// logs), keeps every payload, and decodes the spans — just the fields tests assert on.
/// </summary>
public sealed class OtlpReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> _exports = new();

    public Uri Url { get; }

    private OtlpReceiver(int port)
    {
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _ = ServeAsync();
    }

    public static OtlpReceiver Start() => new(PostgresServer.FreePort());

    /// <summary>Every payload received so far, as text (binary fields garbled, strings intact): for "never exported" checks.</summary>
    public string AllPayloadText() => string.Join('\n', _exports.Select(e => Encoding.UTF8.GetString(e.Body)));

    public List<ExportedSpan> Spans() => _exports.Where(e => e.Path == "/v1/traces").SelectMany(e => ReadTraces(e.Body)).ToList();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (!_listener.IsListening)
            {
                return;
            }
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _exports.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();

    // ---- just enough protobuf: ExportTraceServiceRequest → ResourceSpans → ScopeSpans → Span ----

    private static IEnumerable<ExportedSpan> ReadTraces(byte[] request)
    {
        foreach (var (field, resourceSpans) in Fields(request))
        {
            if (field != 1) continue;
            var service = "";
            var scopeSpansList = new List<byte[]>();
            foreach (var (f, value) in Fields(resourceSpans))
            {
                if (f == 1) service = Attributes(value).GetValueOrDefault("service.name", "");
                if (f == 2) scopeSpansList.Add(value);
            }
            foreach (var scopeSpans in scopeSpansList)
            {
                var scope = "";
                foreach (var (f, value) in Fields(scopeSpans))
                {
                    if (f == 1) scope = Fields(value).Where(s => s.Field == 1).Select(s => Encoding.UTF8.GetString(s.Value)).FirstOrDefault("");
                    if (f == 2) yield return ReadSpan(service, scope, value);
                }
            }
        }
    }

    private static ExportedSpan ReadSpan(string service, string scope, byte[] span)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var attributes = new Dictionary<string, string>();
        foreach (var (field, value) in Fields(span))
        {
            switch (field)
            {
                case 1: traceId = Convert.ToHexStringLower(value); break;
                case 2: spanId = Convert.ToHexStringLower(value); break;
                case 4: parent = Convert.ToHexStringLower(value); break;
                case 5: name = Encoding.UTF8.GetString(value); break;
                case 9: AddAttribute(attributes, value); break;
            }
        }
        return new ExportedSpan(service, scope, traceId, spanId, parent, name, attributes);
    }

    /// <summary>The KeyValue attributes (field 1) of a Resource.</summary>
    private static Dictionary<string, string> Attributes(byte[] resource)
    {
        var attributes = new Dictionary<string, string>();
        foreach (var (field, value) in Fields(resource))
            if (field == 1) AddAttribute(attributes, value);
        return attributes;
    }

    private static void AddAttribute(Dictionary<string, string> attributes, byte[] keyValue)
    {
        string? key = null, text = null;
        foreach (var (field, value) in Fields(keyValue))
        {
            if (field == 1) key = Encoding.UTF8.GetString(value);
            // AnyValue: only string values (field 1) matter here; other kinds are kept as their raw text.
            if (field == 2) text = Fields(value).Select(v => v.Field == 1 ? Encoding.UTF8.GetString(v.Value) : Convert.ToHexString(v.Value)).FirstOrDefault();
        }
        if (key is not null) attributes[key] = text ?? "";
    }

    /// <summary>The fields of one message; varint and fixed-size values come back as their raw bytes.</summary>
    private static IEnumerable<(int Field, byte[] Value)> Fields(byte[] message)
    {
        var at = 0;
        while (at < message.Length)
        {
            var tag = ReadVarint(message, ref at);
            var field = (int)(tag >> 3);
            switch (tag & 7)
            {
                case 0:
                    var start = at;
                    ReadVarint(message, ref at);
                    yield return (field, message[start..at]);
                    break;
                case 1:
                    yield return (field, message[at..(at + 8)]);
                    at += 8;
                    break;
                case 2:
                    var length = (int)ReadVarint(message, ref at);
                    yield return (field, message[at..(at + length)]);
                    at += length;
                    break;
                case 5:
                    yield return (field, message[at..(at + 4)]);
                    at += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported protobuf wire type {tag & 7}.");
            }
        }
    }

    private static ulong ReadVarint(byte[] data, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = data[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
    }
}
