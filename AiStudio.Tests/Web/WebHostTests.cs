using System.Net;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Web;

public sealed class WebHostTests : IAsyncLifetime
{
    private readonly AiStudioWebFactory _factory = new();
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        var address = _factory.StartAndGetAddress();
        _client = new HttpClient { BaseAddress = address };
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task Health_AfterStart_AnswersOk()
    {
        var response = await _client.GetAsync("health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Home_Anonymous_OffersSignUpAndLogIn()
    {
        var html = await _client.GetStringAsync("");

        Assert.Contains("Sign up", html);
        Assert.Contains("Log in", html);
        Assert.Matches(@"_content/MudBlazor/MudBlazor\.min(\.[a-z0-9]+)?\.css", html);
    }

    [Fact]
    public async Task Board_Anonymous_RedirectsToLogin()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _client.BaseAddress };

        var response = await client.GetAsync("builds");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/Account/Login", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Start_FreshFolder_CreatesDatabaseAndJobStoreThere()
    {
        var response = await _client.GetAsync("health");

        response.EnsureSuccessStatusCode();
        Assert.True(File.Exists(Path.Combine(_factory.DataDirectory, "aistudio.db")));
        Assert.True(File.Exists(Path.Combine(_factory.DataDirectory, "jobs.db")));
    }
}
