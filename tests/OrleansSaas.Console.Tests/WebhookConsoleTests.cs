using System.Net.Http.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansSaas.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class WebhookConsoleTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_webhook_to_a_local_receiver_shows_its_secret_once_answers_a_ping_and_lists_deliveries_with_their_status_code()
    {
        using var receiver = new LocalReceiver();
        // Its own tenant, so the deliveries are those of this test's events only.
        var (_, client) = await fixture.Cluster.CreateTenantClientAsync();
        var key = client.DefaultRequestHeaders.GetValues("X-Api-Key").Single();
        var page = await fixture.NewPageAsync();
        await fixture.SignInAsync(page, key);

        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks" }).ClickAsync();
        await Expect(page.GetByText("No webhooks yet")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New webhook" }).ClickAsync();
        await page.GetByLabel("Endpoint URL").FillAsync(receiver.Url);
        await page.GetByLabel("session.status").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create webhook" }).ClickAsync();
        var secret = page.Locator(".secret");
        await Expect(secret).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^whsec_"));
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy" })).ToBeVisibleAsync();
        await ConsoleFixture.ScreenshotAsync(page, "06-webhook-created");

        await page.GetByRole(AriaRole.Link, new() { Name = "Open the webhook →" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send a ping" }).ClickAsync();
        await Expect(page.Locator(".ping-result")).ToContainTextAsync("answered 200");
        // The secret is not shown again anywhere.
        await Expect(page.Locator(".secret")).ToHaveCountAsync(0);

        // An event of the subscribed type: its delivery shows up with the receiver's status code.
        await client.PostAsJsonAsync("/v1/sessions", new { name = "hooked" });
        var delivery = page.Locator(".deliveries-table tbody tr[data-delivery]").First;
        await Expect(delivery).ToContainTextAsync("session.status", new() { Timeout = 20_000 });
        await Expect(delivery.Locator(".status-code")).ToHaveTextAsync("200", new() { Timeout = 20_000 });
        await delivery.GetByRole(AriaRole.Button, new() { Name = "Attempts" }).ClickAsync();
        await Expect(page.Locator(".attempts-row:not([hidden]) td table")).ToContainTextAsync("200");
        Assert.True(receiver.Received >= 2);
        await ConsoleFixture.ScreenshotAsync(page, "07-webhook-deliveries");
        Assert.Empty(fixture.PageErrors);
        await page.Context.CloseAsync();
        client.Dispose();
    }
}
