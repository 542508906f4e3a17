using Microsoft.OpenApi;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Tenants;

[Collection(SharedClusterCollection.Name)]
public sealed class AdminOpenApiTests(SharedClusterFixture fixture)
{
    public static TheoryData<string, string> AdminRoutes => new()
    {
        { "POST", "/v1/admin/tenants" },
        { "GET", "/v1/admin/tenants" },
        { "GET", "/v1/admin/tenants/{tenantId}" },
        { "PATCH", "/v1/admin/tenants/{tenantId}" },
        { "DELETE", "/v1/admin/tenants/{tenantId}" },
        { "POST", "/v1/admin/tenants/{tenantId}/suspend" },
        { "POST", "/v1/admin/tenants/{tenantId}/resume" },
        { "POST", "/v1/admin/tenants/{tenantId}/keys" },
        { "GET", "/v1/admin/tenants/{tenantId}/keys" },
        { "POST", "/v1/admin/tenants/{tenantId}/keys/{keyId}/revoke" },
    };

    [Theory]
    [MemberData(nameof(AdminRoutes))]
    public async Task Admin_routes_are_documented_as_taking_the_admin_key(string method, string path)
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        var (document, diagnostic) = OpenApiDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"), "json");

        Assert.NotNull(document);
        Assert.Empty(diagnostic?.Errors ?? []);
        Assert.True(document.Paths.TryGetValue(path, out var item), $"{path} is not in the document");
        var operation = Assert.Single(item!.Operations!, o => o.Key.Method == method).Value;
        Assert.Contains(operation.Responses!.Keys, status => status.StartsWith('2'));
        Assert.Contains("401", operation.Responses!.Keys);
        var requirement = Assert.Single(operation.Security!);
        Assert.Equal("adminKey", Assert.Single(requirement.Keys).Reference.Id);
        Assert.Contains("adminKey", document.Components!.SecuritySchemes!.Keys);
    }
}
