using System.Net;
using Microsoft.OpenApi;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class ApiDocumentationTests(SharedClusterFixture fixture)
{
    // Every tenant route the gateway serves; a route missing from the document fails this test.
    public static TheoryData<string, string> Routes => new()
    {
        { "POST", "/v1/sessions" },
        { "GET", "/v1/sessions" },
        { "GET", "/v1/sessions/{sessionId}" },
        { "DELETE", "/v1/sessions/{sessionId}" },
        { "GET", "/v1/sessions/{sessionId}/me" },
        { "GET", "/v1/sessions/{sessionId}/qr" },
        { "POST", "/v1/sessions/{sessionId}/pairing-code" },
        { "PATCH", "/v1/sessions/{sessionId}/settings" },
        { "POST", "/v1/sessions/{sessionId}/start" },
        { "POST", "/v1/sessions/{sessionId}/stop" },
        { "POST", "/v1/sessions/{sessionId}/restart" },
        { "POST", "/v1/sessions/{sessionId}/logout" },
        { "POST", "/v1/sessions/{sessionId}/typing" },
        { "GET", "/v1/sessions/{sessionId}/presence" },
        { "POST", "/v1/sessions/{sessionId}/messages" },
        { "GET", "/v1/sessions/{sessionId}/messages" },
        { "GET", "/v1/sessions/{sessionId}/messages/{messageId}" },
        { "POST", "/v1/sessions/{sessionId}/messages/{messageId}/read" },
        { "POST", "/v1/sessions/{sessionId}/dev/scan" },
        { "POST", "/v1/sessions/{sessionId}/dev/enter-code" },
        { "POST", "/v1/media" },
        { "GET", "/v1/media" },
        { "GET", "/v1/media/{mediaId}" },
        { "GET", "/v1/media/{mediaId}/content" },
        { "DELETE", "/v1/media/{mediaId}" },
        { "GET", "/v1/ping" },
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
        { "GET", "/v1/admin/silos" },
        { "GET", "/v1/admin/silos/{silo}/sessions" },
        { "POST", "/v1/admin/silos/{silo}/drain" },
        { "POST", "/v1/admin/silos/{silo}/undrain" },
        { "POST", "/v1/admin/sessions/{tenantId}/{sessionId}/move" },
        { "POST", "/v1/admin/rebalance" },
        { "GET", "/v1/admin/audit" },
        { "POST", "/v1/admin/keys" },
        { "GET", "/v1/admin/keys" },
        { "POST", "/v1/admin/keys/{keyId}/revoke" },
        { "GET", "/v1/audit" },
        { "GET", "/v1/usage" },
    };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task The_OpenAPI_document_is_valid_and_describes_every_route(string method, string path)
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        var json = await anonymous.GetStringAsync("/openapi/v1.json");

        var (document, diagnostic) = OpenApiDocument.Parse(json, "json");

        Assert.NotNull(document);
        Assert.Empty(diagnostic?.Errors ?? []);
        Assert.True(document.Paths.TryGetValue(path, out var item), $"{path} is not in the document");
        var operation = Assert.Single(item!.Operations!, o => o.Key.Method == method).Value;
        Assert.Contains(operation.Responses!.Keys, status => status.StartsWith('2'));
        Assert.Contains("401", operation.Responses!.Keys);
        var scheme = path.StartsWith("/v1/admin", StringComparison.Ordinal) ? "adminKey" : "apiKey";
        Assert.Contains(scheme, document.Components!.SecuritySchemes!.Keys);
        if (scheme == "adminKey") Assert.Equal(scheme, Assert.Single(Assert.Single(operation.Security!).Keys).Reference.Id);
    }

    /// <summary>One rule: 400 for invalid fields, 422 for a well-formed request the current state refuses.</summary>
    public static TheoryData<string, string, string, int> Refusals => new()
    {
        { "POST", "/v1/webhooks", """{"url":"not a url"}""", 400 },
        { "PATCH", "/v1/webhooks/{webhookId}", """{"url":"not a url"}""", 400 },
        { "POST", "/v1/webhooks/{webhookId}/rotate-secret", """{"overlapSeconds":-1}""", 400 },
        { "POST", "/v1/webhooks/{webhookId}/replay", "{}", 400 },
        { "POST", "/v1/events/ack", "{}", 400 },
        { "POST", "/v1/events/ack", """{"seq":999999999999}""", 422 },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task The_documented_error_statuses_are_the_ones_the_route_answers(string method, string path, string body, int expected)
    {
        using var client = fixture.Cluster.CreateClient();
        var webhook = await client.PostAsync("/v1/webhooks", new StringContent("""{"url":"http://127.0.0.1:9/hook"}""", System.Text.Encoding.UTF8, "application/json"));
        var webhookId = (string)(await webhook.ReadJsonAsync(HttpStatusCode.Created))["webhook"]!["id"]!;

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{webhookId}", webhookId))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        });

        await response.AssertProblemAsync((HttpStatusCode)expected);
        var (document, _) = OpenApiDocument.Parse(await client.GetStringAsync("/openapi/v1.json"), "json");
        var operation = Assert.Single(document!.Paths[path].Operations!, o => o.Key.Method == method).Value;
        Assert.Contains(expected.ToString(), operation.Responses!.Keys);
        // A 422 is documented only where the state can refuse a well-formed request.
        var refusedByState = Refusals.Any(r => (string)r[0] == method && (string)r[1] == path && (int)r[3] == 422);
        Assert.Equal(refusedByState, operation.Responses!.ContainsKey("422"));
    }

    [Fact]
    public async Task Numbers_are_documented_as_numbers()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        var (document, _) = OpenApiDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json"), "json");

        var latitude = document!.Components!.Schemas!["LocationDetails"].Properties!["latitude"];
        Assert.True(latitude.Type?.HasFlag(JsonSchemaType.Number), $"latitude is documented as {latitude.Type}");
        var rate = document.Components.Schemas["SessionSettingsRequest"].Properties!["messagesPerSecond"];
        Assert.True(rate.Type?.HasFlag(JsonSchemaType.Number), $"messagesPerSecond is documented as {rate.Type}");
    }

    [Fact]
    public async Task The_interactive_docs_page_is_served()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        var page = await anonymous.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }
}
