using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansSaas.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SessionConsoleTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_new_session_shows_its_QR_code_and_turns_connected_after_a_simulated_scan_without_a_reload()
    {
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, fixture.Cluster.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "New session" }).ClickAsync();
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Front desk");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create session" }).ClickAsync();

        await Expect(page.Locator("h1")).ToHaveTextAsync("Front desk");
        var qr = page.GetByRole(AriaRole.Img, new() { NameRegex = new System.Text.RegularExpressions.Regex("^QR code") });
        await Expect(qr).ToBeVisibleAsync();
        Assert.StartsWith("data:image/png;base64,", await qr.GetAttributeAsync("src"));
        // The image really is a decodable picture, not an empty placeholder.
        Assert.True(await qr.EvaluateAsync<int>("img => img.naturalWidth") > 100);
        await Expect(page.Locator("#session-status")).ToHaveTextAsync("pairing");
        await ConsoleFixture.ScreenshotAsync(page, "03-session-pairing");

        var reloads = 0;
        page.Load += (_, _) => reloads++;
        // The code rotates (session.qr on the event stream) and the image follows.
        var first = await qr.GetAttributeAsync("src");
        await Expect(qr).Not.ToHaveAttributeAsync("data-sequence", "1");
        Assert.NotEqual(first, await qr.GetAttributeAsync("src"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Simulate scan" }).ClickAsync();
        await Expect(page.Locator("#session-status")).ToHaveTextAsync("connected");
        await Expect(page.Locator(".history-table")).ToContainTextAsync("connected");
        Assert.Equal(0, reloads);
        await Expect(qr).ToHaveCountAsync(0);
        await ConsoleFixture.ScreenshotAsync(page, "04-session-connected");

        // The list shows it connected too, with its number.
        await page.GetByRole(AriaRole.Link, new() { Name = "← Sessions" }).ClickAsync();
        var row = page.Locator("tr", new() { HasText = "Front desk" });
        await Expect(row.Locator(".badge")).ToHaveTextAsync("connected");
        await ConsoleFixture.ScreenshotAsync(page, "02-sessions");
        Assert.Empty(fixture.PageErrors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_text_sent_from_one_session_shows_up_in_the_others_history_and_goes_to_read_when_read_there()
    {
        var (sender, _) = await fixture.ConnectedSessionAsync("Sender");
        var (receiver, receiverPhone) = await fixture.ConnectedSessionAsync("Receiver");
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, fixture.Cluster.ApiKey);

        await page.GotoAsync(fixture.ConsoleUrl + "#/sessions/" + sender);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sender");
        await page.GetByLabel("To", new() { Exact = true }).FillAsync(receiverPhone);
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("Your order has shipped");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var sent = page.Locator(".messages-table tr", new() { HasText = "Your order has shipped" });
        await Expect(sent.Locator(".badge")).ToHaveTextAsync("delivered");
        await ConsoleFixture.ScreenshotAsync(page, "05-messages-sent");

        // The receiver's console, in a second tab (signed in on its own: the key is per tab): the message is in its history; reading it there…
        var other = await page.Context.NewPageAsync();
        await fixture.SignInAsync(other, fixture.Cluster.ApiKey);
        await other.GotoAsync(fixture.ConsoleUrl + "#/sessions/" + receiver);
        var received = other.Locator(".messages-table tr[data-direction='inbound']", new() { HasText = "Your order has shipped" });
        await Expect(received).ToBeVisibleAsync();
        await received.GetByRole(AriaRole.Button, new() { Name = "Mark message" }).ClickAsync();

        // …moves the sender's message to read in the first tab, live.
        await Expect(sent.Locator(".badge")).ToHaveTextAsync("read");
        Assert.Empty(fixture.PageErrors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Field_errors_from_the_API_show_next_to_their_fields()
    {
        var (sender, _) = await fixture.ConnectedSessionAsync("Errors");
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, fixture.Cluster.ApiKey);
        await page.GotoAsync(fixture.ConsoleUrl + "#/sessions/" + sender);
        await page.GetByLabel("To", new() { Exact = true }).FillAsync("not a number");
        await page.GetByLabel("Message", new() { Exact = true }).FillAsync("hello");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();

        var form = page.GetByRole(AriaRole.Form, new() { Name = "Send a message" });
        await Expect(form.GetByRole(AriaRole.Alert)).ToContainTextAsync("The request has invalid fields");
        var to = form.Locator(".field[data-field='to']");
        await Expect(to.Locator(".field-error")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("To", new() { Exact = true })).ToHaveAttributeAsync("aria-invalid", "true");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_events_page_shows_the_stream_live_and_filters_it_by_type_and_session()
    {
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, fixture.Cluster.ApiKey);
        await page.GetByRole(AriaRole.Link, new() { Name = "Events" }).ClickAsync();
        await Expect(page.GetByText("Waiting for events…")).ToBeVisibleAsync();
        await Expect(page.Locator("#live-state")).ToHaveTextAsync("Live");

        var (id, _) = await fixture.ConnectedSessionAsync("Evented");
        var mine = page.Locator($".event:has-text('{id}')");
        await Expect(mine.Filter(new() { HasText = "connected" })).ToHaveCountAsync(1);
        await Expect(mine.Filter(new() { HasText = "session.qr" }).First).ToBeVisibleAsync();

        await page.GetByLabel("Event type").SelectOptionAsync("session.status");
        await Expect(page.Locator(".event[data-type='session.qr']")).ToHaveCountAsync(0);
        await Expect(mine.First).ToBeVisibleAsync();
        await page.GetByLabel("Session id").FillAsync("ses_someone_else");
        await Expect(page.Locator(".event")).ToHaveCountAsync(0);
        await page.GetByLabel("Session id").FillAsync(id);
        await Expect(mine.First).ToBeVisibleAsync();
        await mine.First.Locator("summary").ClickAsync();
        await Expect(mine.First.Locator("pre")).ToContainTextAsync("\"seq\"");
        await ConsoleFixture.ScreenshotAsync(page, "08-events");
        Assert.Empty(fixture.PageErrors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_tenants_console_never_shows_another_tenants_sessions()
    {
        var (_, otherTenant) = await fixture.Cluster.CreateTenantClientAsync();
        var secret = await ConsoleFixture.Json(await otherTenant.PostAsJsonAsync("/v1/sessions", new { name = "Other tenant's secret session" }));
        var otherId = (string)secret["id"]!;
        var ownKey = otherTenant.DefaultRequestHeaders.GetValues("X-Api-Key").Single();

        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, fixture.Cluster.ApiKey);
        await Expect(page.Locator(".sessions-table, .empty").First).ToBeVisibleAsync();
        await Expect(page.GetByText("Other tenant's secret session")).ToHaveCountAsync(0);
        await page.GotoAsync(fixture.ConsoleUrl + "#/sessions/" + otherId);
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not found", new() { IgnoreCase = true });
        await page.GotoAsync(fixture.ConsoleUrl + "#/events");
        await page.Context.CloseAsync();

        // And the other way round: its own console shows only its own session.
        var otherPage = await fixture.NewPageAsync();
        await fixture.SignInAsync(otherPage, ownKey);
        await Expect(otherPage.Locator(".sessions-table tbody tr")).ToHaveCountAsync(1);
        await Expect(otherPage.Locator(".sessions-table")).ToContainTextAsync("Other tenant's secret session");
        await otherPage.Context.CloseAsync();
        otherTenant.Dispose();
    }
}
