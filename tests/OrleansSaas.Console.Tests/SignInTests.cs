using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace OrleansSaas.Console.Tests;

[Collection(ConsoleCollection.Name)]
public sealed class SignInTests(ConsoleFixture fixture)
{
    [Fact]
    public async Task A_wrong_key_shows_the_APIs_error_a_right_one_signs_in_and_signing_out_forgets_it()
    {
        var page = await fixture.NewPageAsync();
        var response = await page.GotoAsync(fixture.ConsoleUrl);
        var headers = await response!.AllHeadersAsync();
        Assert.Contains("default-src 'self'", headers["content-security-policy"]);
        Assert.Contains("frame-ancestors 'none'", headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        await ConsoleFixture.ScreenshotAsync(page, "01-sign-in");

        await page.GetByLabel("API key").FillAsync("osk_not_a_real_key");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("A valid API key is required");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('orleanssaas.console.key')"));

        await page.GetByLabel("API key").FillAsync(fixture.Cluster.ApiKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sessions");
        Assert.Equal(fixture.Cluster.ApiKey, await page.EvaluateAsync<string?>("sessionStorage.getItem('orleanssaas.console.key')"));
        // The key is in neither the address, a script-readable cookie, nor long-lived storage.
        Assert.DoesNotContain(fixture.Cluster.ApiKey, page.Url);
        Assert.Equal("", await page.EvaluateAsync<string>("document.cookie"));
        Assert.Equal(0, await page.EvaluateAsync<int>("localStorage.length"));
        await Expect(page.Locator("#live-state")).ToHaveTextAsync("Live");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign in");
        Assert.Null(await page.EvaluateAsync<string?>("sessionStorage.getItem('orleanssaas.console.key')"));
        // Back to a tenant page without a key: the console sends the visitor to sign in again.
        await page.GotoAsync(fixture.ConsoleUrl + "#/sessions");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Sign in");
        Assert.Empty(fixture.PageErrors);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_operator_signs_in_with_the_keyboard_alone()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.ConsoleUrl);
        await Expect(page.GetByLabel("API key")).ToBeFocusedAsync();
        // Shift+Tab back to the selected tab, an arrow key to the other one, Tab into the key, Enter.
        await page.Keyboard.PressAsync("Shift+Tab");
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Tenant" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.GetByRole(AriaRole.Tab, new() { Name = "Operator" })).ToHaveAttributeAsync("aria-selected", "true");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByLabel("Admin key")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync(fixture.Cluster.AdminKey);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Silos");
        await Expect(page.Locator("article.silo")).ToHaveCountAsync(2);
        await page.Context.CloseAsync();
    }
}
