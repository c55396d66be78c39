using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AiStudio.Tests.Api;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// The real web app over real HTTP (one per test class), with a build of Alice's and one of Bob's each awaiting
/// approval: nothing runs in the background while a row compares the database.
/// </summary>
public sealed class ApiScene : IAsyncLifetime
{
    public const string Requirements = "Add a contact form to the website that emails the support team.";

    public const string AdminEmail = "admin@badinput.test";

    public ApiHost Api { get; } = new(new Dictionary<string, string?> { ["Admin:Emails:0"] = AdminEmail });
    public HttpClient Alice { get; private set; } = null!;
    public HttpClient Bob { get; private set; } = null!;
    public string AliceBuild { get; private set; } = "";
    public string BobBuild { get; private set; } = "";
    public string BobRun { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await Api.InitializeAsync();
        await Api.CreateUserAsync(AdminEmail);
        Alice = Api.Client(Api.AliceToken);
        Bob = Api.Client(Api.BobToken);
        AliceBuild = await StartAwaitingAsync(Alice, "Website", "Contact form");
        BobBuild = await StartAwaitingAsync(Bob, "Bob's secret project", "Secret");
        BobRun = (string)(await Bob.GetJsonAsync($"api/builds/{BobBuild}"))["currentRun"]!["id"]!;
    }

    public async Task<string> StartAwaitingAsync(HttpClient client, string project, string title, string requirements = Requirements)
    {
        using var response = await client.PostAsJsonAsync("api/builds", new { projectName = project, title, requirements });
        var id = (string)(await response.JsonAsync())["id"]!;
        await StatusAsync(client, id, awaiting: true);
        return id;
    }

    /// <summary>The build's status; with <paramref name="awaiting"/>, once its current attempt awaits approval.</summary>
    public async Task<JsonObject> StatusAsync(HttpClient client, string id, bool awaiting = false)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await client.GetJsonAsync($"api/builds/{id}");
            if (!awaiting || (bool)status["awaitsApproval"]!)
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The build did not reach approval in time: {status.ToJsonString()}");
            await Task.Delay(50);
        }
    }

    public Task<DatabaseSnapshot> SnapshotAsync() => DatabaseSnapshot.TakeAsync(Api.Services);

    /// <summary>Posts <paramref name="json"/> exactly as written, so that malformed and odd bodies reach the server unchanged.</summary>
    public static Task<HttpResponseMessage> PostRawAsync(HttpClient client, string uri, string json, string mediaType = "application/json") =>
        client.PostAsync(uri, new StringContent(json, Encoding.UTF8, mediaType));

    public async Task DisposeAsync()
    {
        Alice?.Dispose();
        Bob?.Dispose();
        await Api.DisposeAsync();
    }
}
