using System.Net;
using System.Text;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

/// <summary>Numbers in request bodies are JSON numbers, finite and in range, on every route; anything else is a 400 naming the field.</summary>
[Collection(SharedClusterCollection.Name)]
public sealed class StrictJsonNumberTests(SharedClusterFixture fixture)
{
    private static readonly SemaphoreSlim Setup = new(1, 1);
    private static string? _session;

    public static TheoryData<string, string, string, string> BadNumbers => new()
    {
        { "POST", "/v1/sessions/{s}/messages", """{"to":"+12015550102","type":"location","location":{"latitude":1e400,"longitude":0}}""", "location.latitude" },
        { "POST", "/v1/sessions/{s}/messages", """{"to":"+12015550102","type":"location","location":{"latitude":0,"longitude":-1e400}}""", "location.longitude" },
        { "POST", "/v1/sessions/{s}/messages", """{"to":"+12015550102","type":"location","location":{"latitude":"NaN","longitude":0}}""", "location.latitude" },
        { "POST", "/v1/sessions/{s}/messages", """{"to":"+12015550102","type":"location","location":{"latitude":0,"longitude":"-Infinity"}}""", "location.longitude" },
        { "POST", "/v1/sessions/{s}/messages", """{"to":"+12015550102","type":"location","location":{"latitude":"1.5","longitude":0}}""", "location.latitude" },
        { "PATCH", "/v1/sessions/{s}/settings", """{"recipientGapMilliseconds":"5"}""", "recipientGapMilliseconds" },
        { "PATCH", "/v1/sessions/{s}/settings", """{"recipientGapMilliseconds":1e12}""", "recipientGapMilliseconds" },
        { "PATCH", "/v1/sessions/{s}/settings", """{"messagesPerSecond":1e400}""", "messagesPerSecond" },
        { "PATCH", "/v1/sessions/{s}/settings", """{"messagesPerSecond":"2"}""", "messagesPerSecond" },
        { "POST", "/v1/sessions/{s}/typing", """{"to":"+12015550102","durationSeconds":"5"}""", "durationSeconds" },
        { "POST", "/v1/events/ack", """{"seq":"0"}""", "seq" },
        { "POST", "/v1/admin/tenants", """{"name":"numbers","plan":{"maxSessions":"5"}}""", "plan.maxSessions" },
    };

    [Theory]
    [MemberData(nameof(BadNumbers))]
    public async Task A_number_that_is_a_string_or_not_finite_or_out_of_range_is_a_400_naming_the_field(string method, string path, string body, string field)
    {
        using var client = path.StartsWith("/v1/admin", StringComparison.Ordinal) ? fixture.Cluster.CreateAdminClient() : fixture.Cluster.CreateClient();
        var session = await SessionAsync();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path.Replace("{s}", session))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });

        await response.AssertProblemNamingAsync(field);
    }

    private async Task<string> SessionAsync()
    {
        await Setup.WaitAsync();
        try
        {
            return _session ??= await fixture.Cluster.CreateClient().CreatePairedSessionAsync("+12015550731");
        }
        finally
        {
            Setup.Release();
        }
    }
}
