using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

/// <summary>Admin API calls and problem checks shared by the tenant tests.</summary>
internal static class TenantTestApi
{
    public static async Task<JsonNode> CreateTenantAsync(this HttpClient admin, object body) =>
        await (await admin.PostAsJsonAsync("/v1/admin/tenants", body)).ReadJsonAsync(HttpStatusCode.Created);

    public static async Task<JsonNode> IssueKeyAsync(this HttpClient admin, string tenantId, object? body = null) =>
        await (await admin.PostAsJsonAsync($"/v1/admin/tenants/{tenantId}/keys", body ?? new { })).ReadJsonAsync(HttpStatusCode.Created);

    /// <summary>A client holding a new key of the tenant with exactly these scopes.</summary>
    public static async Task<HttpClient> KeyClientAsync(this TestCluster cluster, string tenantId, params string[] scopes)
    {
        using var admin = cluster.CreateAdminClient();
        var key = await admin.IssueKeyAsync(tenantId, new { scopes });
        return cluster.CreateClient((string)key["key"]!);
    }



    /// <summary>Polls a request until it answers the status: auth answers are cached for a few seconds by design.</summary>
    public static async Task<HttpResponseMessage> EventuallyStatusAsync(Func<Task<HttpResponseMessage>> request, HttpStatusCode status, string what) =>
        await Api.EventuallyAsync(request, r => r.StatusCode == status, TimeSpan.FromSeconds(20), what);
}
