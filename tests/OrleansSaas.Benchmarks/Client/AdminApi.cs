using System.Net.Http.Json;

namespace OrleansSaas.Benchmarks.Client;

/// <summary>A silo as GET /v1/admin/silos shows it.</summary>
public sealed record SiloInfo(string Status, int Sessions, long? MemoryBytes)
{
    public bool IsActive => Status == "active";
}

/// <summary>The operators' API (X-Admin-Key): tenants and keys for the run, the silos' load.</summary>
public sealed class AdminApi(HttpClient http)
{
    /// <summary>A tenant whose plan leaves room for the whole run, and a key with every scope.</summary>
    public async Task<(string TenantId, string ApiKey)> CreateTenantAsync(string name, int maxSessions, int messagesPerMinute, CancellationToken cancellation)
    {
        var tenant = await CallAsync(HttpMethod.Post, "/v1/admin/tenants", new { name, plan = new { maxSessions, messagesPerMinute } }, cancellation);
        var tenantId = (string)tenant.Expect(201, "creating the benchmark tenant")["id"]!;
        var key = await CallAsync(HttpMethod.Post, $"/v1/admin/tenants/{tenantId}/keys", new { name = "benchmark" }, cancellation);
        return (tenantId, (string)key.Expect(201, "issuing the benchmark API key")["key"]!);
    }

    public async Task<IReadOnlyList<SiloInfo>?> ListSilosAsync(CancellationToken cancellation)
    {
        var reply = await CallAsync(HttpMethod.Get, "/v1/admin/silos", null, cancellation);
        return reply.Status != 200 || reply.Body is null
            ? null
            : reply.Body.AsArray().Select(s => new SiloInfo((string)s!["status"]!, (int)s["sessions"]!, (long?)s["memoryBytes"])).ToList();
    }

    public Task<ApiReply> RebalanceAsync(CancellationToken cancellation) => CallAsync(HttpMethod.Post, "/v1/admin/rebalance", null, cancellation);

    private Task<ApiReply> CallAsync(HttpMethod method, string path, object? body, CancellationToken cancellation) =>
        ApiCall.SendAsync(http, new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) }, true, cancellation);
}
