using System.Collections;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace OrleansSaas.Observability;

/// <summary>
/// Marks the work in progress as belonging to a tenant (and a session): the current span gets the
/// tenant.id and session.id attributes, and every log entry written until disposal gets TenantId and
/// SessionId properties through a logging scope.
/// </summary>
public static class WorkContext
{
    public const string TenantAttribute = "tenant.id";
    public const string SessionAttribute = "session.id";

    public static IDisposable? Enter(ILogger logger, Activity? activity, string? tenantId, string? sessionId)
    {
        if (tenantId is null && sessionId is null) return null;
        if (activity is { IsAllDataRequested: true })
        {
            if (tenantId is not null) activity.SetTag(TenantAttribute, tenantId);
            if (sessionId is not null) activity.SetTag(SessionAttribute, sessionId);
        }
        return logger.BeginScope(new Scope(tenantId, sessionId));
    }

    /// <summary>Key/value pairs for structured sinks (JSON, OTLP); "TenantId:… SessionId:…" for the text console.</summary>
    private sealed class Scope(string? tenantId, string? sessionId) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private readonly KeyValuePair<string, object?>[] _items =
        [
            .. tenantId is null ? [] : new[] { new KeyValuePair<string, object?>("TenantId", tenantId) },
            .. sessionId is null ? [] : new[] { new KeyValuePair<string, object?>("SessionId", sessionId) },
        ];

        public int Count => _items.Length;
        public KeyValuePair<string, object?> this[int index] => _items[index];
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_items).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => string.Join(' ', _items.Select(i => $"{i.Key}:{i.Value}"));
    }
}
