using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

[Collection(SharedClusterCollection.Name)]
public sealed class BadInputTests(SharedClusterFixture fixture)
{
    private readonly HttpClient _client = fixture.Cluster.CreateClient();

    public static TheoryData<string, string> MalformedSendBodies => new()
    {
        { "{", "body" },
        { "{\"to\": \"+12015550102\", \"text\": ", "text" },
        { "[]", "body" },
        { "{\"to\": 12015550102, \"text\": \"hi\"}", "to" },
        { "{\"to\": \"+12015550102\", \"text\": [\"hi\"]}", "text" },
        { "{}", "to" },
        { "{\"to\": \"+12015550102\"}", "text" },
        { "{\"text\": \"hi\"}", "to" },
        { "{\"to\": \"+12015550102\", \"text\": \"\"}", "text" },
        { "{\"to\": \"12015550102\", \"text\": \"hi\"}", "to" },
        { "{\"to\": \"+1 (201) 555-01\", \"text\": \"hi\"}", "to" },
        { "{\"to\": \"+١٢٠١٥٥٥٠١٠٢\", \"text\": \"hi\"}", "to" },
        { "{\"to\": \"'; DROP TABLE messages; --\", \"text\": \"hi\"}", "to" },
        { "{\"to\": \"+12015550102\", \"text\": \"a\\u0000b\"}", "text" },
        { "{\"to\": \"+12015550102\", \"text\": \"hi\", \"priority\": 1}", "priority" },
    };

    [Theory]
    [MemberData(nameof(MalformedSendBodies))]
    public async Task A_bad_send_body_is_a_400_problem_naming_the_field_and_queues_nothing(string body, string field)
    {
        var session = await _client.CreatePairedSessionAsync("+12015550201");

        var response = await _client.PostAsync($"/v1/sessions/{session}/messages", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
        Assert.Empty(await _client.ListAllMessagesAsync(session));
    }

    [Fact]
    public async Task Text_over_4096_characters_is_refused()
    {
        var session = await _client.CreatePairedSessionAsync("+12015550202");

        var response = await _client.PostAsJsonAsync($"/v1/sessions/{session}/messages", new { to = "+12015550203", text = new string('x', 4097) });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("text", problem["errors"]!.AsObject().Select(e => e.Key));
        await _client.SendTextAsync(session, "+12015550203", new string('x', 4096));
    }

    [Fact]
    public async Task Text_length_counts_code_points_so_4096_emoji_pass_and_4097_do_not()
    {
        var session = await _client.CreatePairedSessionAsync("+12015550741");
        const string emoji = "\U0001F600"; // 😀: one code point, two UTF-16 units

        var tooLong = await _client.PostAsJsonAsync($"/v1/sessions/{session}/messages", new { to = "+12015550742", text = string.Concat(Enumerable.Repeat(emoji, 4097)) });

        await tooLong.AssertProblemNamingAsync("text");
        await _client.SendTextAsync(session, "+12015550742", string.Concat(Enumerable.Repeat(emoji, 4096)));
    }

    [Theory]
    [InlineData("GET", "/v1/sessions/ses_doesnotexist")]
    [InlineData("GET", "/v1/sessions/ses_doesnotexist/qr")]
    [InlineData("GET", "/v1/sessions/ses_doesnotexist/messages")]
    [InlineData("GET", "/v1/sessions/ses_doesnotexist/messages/msg_1")]
    [InlineData("POST", "/v1/sessions/ses_doesnotexist/start")]
    [InlineData("POST", "/v1/sessions/ses_doesnotexist/logout")]
    [InlineData("GET", "/v1/sessions/..%2F..%2Fetc")]
    [InlineData("GET", "/v1/nothing-here")]
    public async Task An_unknown_resource_is_a_404_problem(string method, string path)
    {
        var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Sending_from_an_unknown_session_is_a_404_problem()
    {
        var response = await _client.PostAsJsonAsync("/v1/sessions/ses_doesnotexist/messages", new { to = "+12015550203", text = "hi" });
        await response.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("osk_unknown_secret")]
    [InlineData("not-a-key")]
    public async Task Requests_without_a_valid_key_are_a_401_problem(string? key)
    {
        using var client = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        if (key is not null) client.DefaultRequestHeaders.Add("X-Api-Key", key);

        var response = await client.PostAsJsonAsync("/v1/sessions", new { name = "x" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_tampered_key_secret_is_refused()
    {
        var tampered = fixture.Cluster.ApiKey[..^1] + (fixture.Cluster.ApiKey[^1] == 'a' ? 'b' : 'a');
        using var client = fixture.Cluster.CreateClient(tampered);
        await (await client.GetAsync("/v1/sessions/ses_any")).AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_bearer_scheme_is_accepted_too()
    {
        using var client = new HttpClient { BaseAddress = fixture.Cluster.GatewayUrl };
        client.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Cluster.ApiKey);
        var response = await client.PostAsJsonAsync("/v1/sessions", new { name = "bearer" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"name\": 5}", "name")]
    [InlineData("{\"name\": \"\"}", "name")]
    [InlineData("{\"name\": \"a\\nb\"}", "name")]
    [InlineData("{\"engine\": \"telepathy\"}", "engine")]
    [InlineData("{\"colour\": \"red\"}", "colour")]
    public async Task A_bad_create_body_is_a_400_problem_naming_the_field(string body, string field)
    {
        var response = await _client.PostAsync("/v1/sessions", new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task A_huge_body_is_refused_with_a_4xx_problem()
    {
        var session = await _client.CreatePairedSessionAsync("+12015550204");
        var body = $"{{\"to\": \"+12015550205\", \"text\": \"{new string('x', 2 * 1024 * 1024)}\"}}";

        // Expect: 100-continue lets the server refuse before the body is sent, as a well-behaved client would.
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/sessions/{session}/messages") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;
        var response = await _client.SendAsync(request);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await _client.ListAllMessagesAsync(session));
    }

    [Fact]
    public async Task A_non_JSON_content_type_is_refused_with_a_4xx_problem()
    {
        var session = await _client.CreatePairedSessionAsync("+12015550206");
        var response = await _client.PostAsync($"/v1/sessions/{session}/messages", new StringContent("to=+12015550207&text=hi", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("direction=sideways", "direction")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=100000", "limit")]
    [InlineData("cursor=abc", "cursor")]
    public async Task Bad_list_parameters_are_a_400_problem_naming_the_parameter(string query, string field)
    {
        var session = (string)(await _client.CreateSessionAsync())["id"]!;
        var response = await _client.GetAsync($"/v1/sessions/{session}/messages?{query}");
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Sending_before_pairing_is_a_409_problem()
    {
        var session = (string)(await _client.CreateSessionAsync())["id"]!;
        var response = await _client.PostAsJsonAsync($"/v1/sessions/{session}/messages", new { to = "+12015550208", text = "too early" });
        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

}
