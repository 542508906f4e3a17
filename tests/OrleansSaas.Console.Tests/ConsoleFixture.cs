using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Console.Tests;

/// <summary>
/// One two-silo cluster (PostgreSQL, silos and gateway as real processes) and one headless chromium for every
/// console test: starting them is most of the cost, and the tests do not depend on each other's data.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium; no browser is downloaded (.ci/run installs the package when it is missing).</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private static int _nextPhone = Random.Shared.Next(0, 900);
    private IPlaywright? _playwright;

    public TestCluster Cluster { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public string ConsoleUrl => new Uri(Cluster.GatewayUrl, "/console/").ToString();

    /// <summary>Screenshots of the main pages, for people to look at: TestResults/console-screenshots (git-ignored).</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot(), "TestResults", "console-screenshots");

    public static string NewPhone() => $"+1201558{Interlocked.Increment(ref _nextPhone) % 10000:D4}";

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"The console tests need Debian's chromium at {ChromiumPath}: run 'apt-get install -y chromium' (.ci/run does this).");
        Directory.CreateDirectory(ScreenshotFolder);
        // The webhook page's receiver runs on loopback.
        var start = TestCluster.StartAsync(silos: 2, settings: TestCluster.AllowingLoopback(new Dictionary<string, string>
        {
            // The operator test moves sessions itself; an automatic rebalance would move them under its feet.
            ["Cluster__AutoRebalance"] = "false",
            // A new QR code every 3 s, so a test sees the image follow a rotation.
            ["Sessions__QrRotationInterval"] = "00:00:03",
        }), gatewaySettings: TestCluster.AllowingLoopback(new Dictionary<string, string> { ["Webhooks__RequireHttps"] = "false" }));
        // Two cores shared with other work (a fresh cluster's first session activation can take over 15 s under load):
        // give pages and assertions time, without hiding a page that never gets there.
        Assertions.SetDefaultExpectTimeout(30_000);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumPath, Headless = true, Args = ChromiumArgs });
        Cluster = await start;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        if (Cluster is not null) await Cluster.DisposeAsync();
    }

    /// <summary>A fresh browser context (its own sessionStorage) at desktop width, failing the test on any page error.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 860)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });
        context.SetDefaultTimeout(30_000);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => PageErrors.Add(error);
        page.Console += (_, message) => { if (message.Type == "error" && !message.Text.Contains("status of 4", StringComparison.Ordinal)) PageErrors.Add(message.Text); };
        return page;
    }

    /// <summary>Script errors and console errors (other than the browser's note of a 4xx answer) seen by any page.</summary>
    public List<string> PageErrors { get; } = [];

    public async Task SignInAsync(IPage page, string key, bool operatorKey = false)
    {
        await page.GotoAsync(ConsoleUrl);
        if (operatorKey) await page.GetByRole(AriaRole.Tab, new() { Name = "Operator" }).ClickAsync();
        await page.GetByLabel(operatorKey ? "Admin key" : "API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(operatorKey ? "Silos" : "Sessions");
    }

    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    /// <summary>A session of the demo tenant, paired through the simulator's dev endpoint; returns its id and number.</summary>
    public async Task<(string Id, string Phone)> ConnectedSessionAsync(string name, HttpClient? client = null)
    {
        var own = client is null;
        client ??= Cluster.CreateClient();
        try
        {
            var created = await Json(await client.PostAsJsonAsync("/v1/sessions", new { name }));
            var id = (string)created["id"]!;
            var phone = NewPhone();
            await Json(await client.PostAsJsonAsync($"/v1/sessions/{id}/dev/scan", new { phoneNumber = phone }));
            return (id, phone);
        }
        finally { if (own) client.Dispose(); }
    }

    public static async Task<JsonNode> Json(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "OrleansSaas.sln"))) return directory.FullName;
        return AppContext.BaseDirectory;
    }
}

[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<ConsoleFixture>
{
    public const string Name = "console";
}
