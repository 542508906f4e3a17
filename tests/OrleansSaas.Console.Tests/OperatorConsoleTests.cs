using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansSaas.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class OperatorConsoleTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task Draining_a_silo_takes_its_session_count_to_zero_on_screen_then_undrain_and_rebalance_show_the_APIs_answer()
    {
        for (var i = 0; i < 4; i++) await fixture.ConnectedSessionAsync($"load {i}");
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, fixture.Cluster.AdminKey, operatorKey: true);
        var silos = page.Locator("article.silo");
        await Expect(silos).ToHaveCountAsync(2);
        await ConsoleFixture.ScreenshotAsync(page, "10-operator-silos");

        // The silo with sessions; the other one has room for them.
        var loaded = page.Locator("article.silo", new() { Has = page.Locator(".meter-value", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^[1-9][0-9]* /") }) }).First;
        var address = await loaded.GetAttributeAsync("data-silo");
        var card = page.Locator($"article.silo[data-silo='{address}']");
        await card.GetByRole(AriaRole.Button, new() { Name = "Sessions" }).ClickAsync();
        await Expect(card.Locator(".silo-sessions-table tbody tr").First).ToBeVisibleAsync();

        await card.GetByRole(AriaRole.Button, new() { Name = "Drain" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Drain" }).ClickAsync();
        await Expect(page.Locator(".answer")).ToContainTextAsync("remaining", new() { Timeout = 60_000 });
        await Expect(page.Locator(".answer")).ToContainTextAsync("0 remaining");
        await Expect(card.Locator(".silo-status")).ToHaveTextAsync("draining");
        await Expect(card.Locator(".meter-value").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^0 /"), new() { Timeout = 20_000 });
        await ConsoleFixture.ScreenshotAsync(page, "11-operator-drained");

        await card.GetByRole(AriaRole.Button, new() { Name = "Undrain" }).ClickAsync();
        await Expect(card.Locator(".silo-status")).ToHaveTextAsync("active");
        await Expect(page.Locator(".answer")).ToContainTextAsync("Undrained");

        await page.GetByRole(AriaRole.Button, new() { Name = "Rebalance" }).ClickAsync();
        await Expect(page.Locator(".answer")).ToContainTextAsync("Before:", new() { Timeout = 60_000 });
        await Expect(page.Locator(".answer")).ToContainTextAsync("move");
        // Rebalancing evened them out: the undrained silo has sessions again.
        await Expect(card.Locator(".meter-value").First).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[1-9][0-9]* /"), new() { Timeout = 20_000 });
        await ConsoleFixture.ScreenshotAsync(page, "12-operator-rebalanced");
        Assert.Empty(fixture.PageErrors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenant_key_cannot_open_operator_pages_the_API_refuses_and_the_console_says_so()
    {
        var page = await fixture.NewPageAsync();
        // As the operator's key at sign-in…
        await page.GotoAsync(fixture.ConsoleUrl);
        await page.GetByRole(AriaRole.Tab, new() { Name = "Operator" }).ClickAsync();
        await page.GetByLabel("Admin key").FillAsync(fixture.Cluster.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A valid admin key is required");

        // …and signed in as a tenant, typing an operator page's address.
        await page.GetByRole(AriaRole.Tab, new() { Name = "Tenant" }).ClickAsync();
        await page.GetByLabel("API key").FillAsync(fixture.Cluster.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sessions");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Silos" })).ToHaveCountAsync(0);
        foreach (var route in new[] { "#/operator/silos", "#/operator/tenants" })
        {
            await page.GotoAsync(fixture.ConsoleUrl + route);
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A valid admin key is required");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Operator pages need the operators’ admin key");
        }
        await Expect(page.Locator("article.silo")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_operator_creates_a_tenant_with_a_plan_issues_a_key_shown_once_and_suspends_the_tenant()
    {
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, fixture.Cluster.AdminKey, operatorKey: true);
        await page.GetByRole(AriaRole.Link, new() { Name = "Tenants" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New tenant" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Acme Retail");
        await page.GetByLabel("Max sessions").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Expect(page.Locator(".field[data-field='plan.maxSessions'] .field-error")).ToBeVisibleAsync();

        await page.GetByLabel("Max sessions").FillAsync("25");
        await page.GetByLabel("Messages per minute").FillAsync("300");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Acme Retail");
        await Expect(page.GetByLabel("Max sessions")).ToHaveValueAsync("25");

        await page.GetByLabel("Key name").FillAsync("backend");
        await page.GetByRole(AriaRole.Button, new() { Name = "Issue key" }).ClickAsync();
        var key = await page.Locator(".secret").TextContentAsync();
        Assert.StartsWith("osk_", key);
        await Expect(page.Locator("tr[data-key]")).ToHaveCountAsync(1);
        await ConsoleFixture.ScreenshotAsync(page, "13-operator-tenant");

        // The issued key works, until the tenant is suspended.
        using var client = fixture.Cluster.CreateClient(key);
        Assert.True((await client.GetAsync("/v1/usage")).IsSuccessStatusCode);
        await page.GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Suspend" }).ClickAsync();
        await Expect(page.Locator(".page-header .badge")).ToHaveTextAsync("suspended");
        await Task.Delay(TimeSpan.FromSeconds(6)); // the gateways' authentication cache
        Assert.Equal(403, (int)(await client.GetAsync("/v1/usage")).StatusCode);

        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Expect(page.Locator(".audit-table")).ToContainTextAsync("suspend");
        await ConsoleFixture.ScreenshotAsync(page, "14-operator-audit");
        Assert.Empty(fixture.PageErrors);
        await page.Context.CloseAsync();
    }
}
