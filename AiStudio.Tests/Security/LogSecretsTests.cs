using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiStudio.Core.ApiTokens;
using AiStudio.Core.Billing;
using AiStudio.Core.Common;
using AiStudio.Core.Identity;
using AiStudio.Tests.Accounts;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiStudio.Tests.Security;

/// <summary>
/// Every configured secret and every secret a person types or is given, against every log line of a session that
/// uses them all: sign-up with email confirmation, log-in (a wrong password, then the right one), an API token, a
/// build whose phases call OpenAI, Anthropic and Azure stand-ins, and a Stripe checkout with its webhooks.
/// </summary>
public sealed class LogSecretsTests : IAsyncLifetime
{
    private const string OpenAiKey = "sk-openai-LEAKCHECK-7f3c9a1e5b";
    private const string AnthropicKey = "sk-ant-LEAKCHECK-2b8d4e6f0a";
    private const string AzureKey = "azure-LEAKCHECK-9c1a5b3d7e";
    private const string SmtpPassword = "smtp-LEAKCHECK-4e7f1a2b6c";
    private const string UserPassword = "Pw-LEAKCHECK-5d2c8e1f!";
    private const string WrongPassword = "Pw-LEAKCHECK-wrong-3a9b!";
    private const string Email = "secrets@security.test";
    private const string Answer = "## Output\n\nEverything the phase needs.\n\nVerdict: PASS";

    private readonly CapturingAllLogsProvider _logs = new();
    private FakeOpenAiServer _openAi = null!;
    private FakeAnthropicServer _anthropic = null!;
    private FakeStripeServer _stripe = null!;
    private FakeSmtpServer _smtp = null!;
    private AiStudioWebFactory _factory = null!;
    private WebApplicationFactory<Program> _app = null!;
    private Uri _address = null!;

    public async Task InitializeAsync()
    {
        _openAi = await FakeOpenAiServer.StartAsync();
        _openAi.ResponseText = Answer;
        _anthropic = await FakeAnthropicServer.StartAsync();
        _anthropic.ResponseText = Answer;
        _stripe = await FakeStripeServer.StartAsync();
        _smtp = new FakeSmtpServer();

        var settings = Billing.BillingWebHost.Settings(_stripe);
        settings["Billing:DefaultPlan"] = "Team";
        foreach (var (key, value) in new Dictionary<string, string?>
                 {
                     ["Models:Default:Provider"] = "OpenAI",
                     ["Models:Default:Model"] = "fake-model",
                     ["Models:Default:BaseUrl"] = _openAi.BaseUrl,
                     ["Models:Default:ApiKey"] = OpenAiKey,
                     ["Models:Roles:CodeWriter:Kind"] = "Claude",
                     ["Models:Roles:CodeWriter:BaseUrl"] = _anthropic.BaseUrl,
                     ["Models:Roles:CodeWriter:ApiKey"] = AnthropicKey,
                     ["Models:Roles:TestAuditor:Provider"] = "AzureOpenAI",
                     ["Models:Roles:TestAuditor:Model"] = "team-gpt4o",
                     ["Models:Roles:TestAuditor:Endpoint"] = _openAi.BaseUrl,
                     ["Models:Roles:TestAuditor:ApiKey"] = AzureKey,
                     ["Email:Smtp:Host"] = "127.0.0.1",
                     ["Email:Smtp:Port"] = _smtp.Port.ToString(),
                     ["Email:Smtp:EnableSsl"] = "false",
                     ["Email:Smtp:User"] = "mailer",
                     ["Email:Smtp:Password"] = SmtpPassword,
                     ["Email:Smtp:From"] = "AiStudio <noreply@aistudio.test>",
                 })
        {
            settings[key] = value;
        }

        _factory = new AiStudioWebFactory(settings);
        _app = _factory.WithWebHostBuilder(web => web.ConfigureLogging(logging =>
        {
            logging.AddProvider(_logs);
            logging.AddFilter<CapturingAllLogsProvider>(null, LogLevel.Trace);
        }));
        _app.UseKestrel(0);
        _app.StartServer();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _address = new Uri(address.Replace("[::]", "127.0.0.1").Replace("localhost", "127.0.0.1").TrimEnd('/') + "/");
        _stripe.WebhookUrl = new Uri(_address, "billing/webhook").ToString();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _factory.DisposeAsync();
        await _stripe.DisposeAsync();
        await _anthropic.DisposeAsync();
        await _openAi.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    [Fact]
    public async Task FullSession_EverySecretInPlay_NoneInAnyLogLine()
    {
        // Sign up, confirm by the emailed link, mistype the password once, then log in.
        using var browser = new AccountClient(_address);
        Assert.True((await browser.RegisterAsync(Email, UserPassword)).RedirectsTo("Account/RegisterConfirmation"));
        var confirmation = await _smtp.WaitForAsync(Email, "Confirm your AiStudio account");
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync(confirmation.FirstLink().PathAndQuery)).Status);
        Assert.Contains("Invalid login attempt", (await browser.LogInAsync(Email, WrongPassword)).Html);
        Assert.True((await browser.LogInAsync(Email, UserPassword)).RedirectsTo("/"));

        // The user's API token starts an automatic build: every phase calls a model, three of them providers with keys.
        var actor = await ActorAsync();
        var token = (await _app.Services.GetRequiredService<IApiTokenService>().CreateAsync(actor, "ci")).Plaintext;
        using var api = new HttpClient { BaseAddress = _address };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var started = await api.PostAsJsonAsync("api/builds", new
        {
            projectName = "Website", title = "Contact form", requirements = "Add a contact form that emails the support team.", approvalPolicy = "Automatic",
        });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["id"]!;
        await Eventually.Until(async () => (string?)(await api.GetFromJsonAsync<JsonObject>($"api/builds/{id}"))!["state"] == "Complete",
            TimeSpan.FromSeconds(60), "the automatic build to complete");
        Assert.NotEmpty(_anthropic.Requests);
        Assert.Contains(_openAi.Requests, r => r.ApiKeyHeader == AzureKey);
        using var badToken = new HttpClient { BaseAddress = _address };
        badToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await badToken.GetAsync("api/builds")).StatusCode);

        // Checkout through Stripe: the app calls the API with its secret key, and Stripe's signed webhooks come back.
        var checkoutUrl = await _app.Services.GetRequiredService<IBillingService>().StartCheckoutAsync(actor, "Pro", _address.ToString());
        using (var stripePage = new HttpClient())
        {
            Assert.Equal(HttpStatusCode.OK, (await stripePage.GetAsync(checkoutUrl)).StatusCode);
        }

        await Eventually.Until(() => Task.FromResult(_stripe.Deliveries.Any(d => d.Status == HttpStatusCode.OK)), TimeSpan.FromSeconds(20), "a webhook to be accepted");

        var secrets = new Dictionary<string, string>
        {
            ["OpenAI key"] = OpenAiKey,
            ["Anthropic key"] = AnthropicKey,
            ["Azure OpenAI key"] = AzureKey,
            ["Stripe secret key"] = FakeStripeServer.SecretKey,
            ["Stripe webhook secret"] = FakeStripeServer.WebhookSecret,
            ["SMTP password"] = SmtpPassword,
            ["password typed at sign-up and log-in"] = UserPassword,
            ["mistyped password"] = WrongPassword,
            ["API token"] = token,
            ["API token's secret part"] = token[^20..],
        };
        var logs = _logs.Entries;
        Assert.True(logs.Count > 500, $"Only {logs.Count} log entries were captured: the capture is not seeing Trace and Debug.");
        Assert.Contains(logs, l => l.Contains($"HTTP POST {_anthropic.BaseUrl.TrimEnd('/')}/", StringComparison.Ordinal));
        Assert.Contains(logs, l => l.Contains("Microsoft.EntityFrameworkCore.Database.Command", StringComparison.Ordinal));
        var leaks = secrets.SelectMany(s => logs.Where(l => l.Contains(s.Value, StringComparison.Ordinal)).Take(3).Select(l => $"{s.Key}: {l}")).ToList();
        Assert.True(leaks.Count == 0, "Secrets in the logs:\n" + string.Join("\n", leaks));
    }

    private async Task<Actor> ActorAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>().FindByEmailAsync(Email);
        return new Actor(user!.Id, Email);
    }
}
