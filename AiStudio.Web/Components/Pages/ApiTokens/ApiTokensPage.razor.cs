using AiStudio.Core.ApiTokens;
using AiStudio.Core.Common;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace AiStudio.Web.Components.Pages.ApiTokens;

public sealed partial class ApiTokensPage
{
    private Actor? _actor;
    private IReadOnlyList<ApiTokenView>? _tokens;
    private CreatedApiToken? _created;
    private string _name = "";
    private string? _nameError;
    private bool _busy;

    [Inject] private IApiTokenService Tokens { get; set; } = default!;
    [Inject] private CurrentActor CurrentActor { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private IJSRuntime JS { get; set; } = default!;

    private string BaseUri => Navigation.BaseUri;

    private string CurlExample => $$"""
        export AISTUDIO_TOKEN=ast_…   # the token you created above

        # the builds you can see
        curl -H "Authorization: Bearer $AISTUDIO_TOKEN" {{BaseUri}}api/builds

        # start a build
        curl -X POST {{BaseUri}}api/builds \
          -H "Authorization: Bearer $AISTUDIO_TOKEN" -H "Content-Type: application/json" \
          -d '{"projectName": "Website", "title": "Contact form", "requirements": "Add a contact form that emails the support team."}'

        # approve the run awaiting approval (ids and version from GET {{BaseUri}}api/builds/<id>)
        curl -X POST {{BaseUri}}api/builds/<id>/verdicts \
          -H "Authorization: Bearer $AISTUDIO_TOKEN" -H "Content-Type: application/json" \
          -d '{"runId": "<currentRun.id>", "expectedVersion": <version>, "verdict": "approve"}'
        """;

    protected override async Task OnInitializedAsync()
    {
        _actor = await CurrentActor.GetAsync();
        _tokens = await Tokens.ListAsync(_actor);
    }

    private async Task CreateAsync()
    {
        if (_actor is null || _busy)
        {
            return;
        }

        _busy = true;
        _nameError = null;
        try
        {
            _created = await Tokens.CreateAsync(_actor, _name);
            _name = "";
            _tokens = await Tokens.ListAsync(_actor);
        }
        catch (InputValidationException ex)
        {
            _nameError = string.Join(" ", ex.Errors.Values.SelectMany(e => e));
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task RevokeAsync(ApiTokenView token)
    {
        if (_actor is null)
        {
            return;
        }

        var confirmed = await Dialogs.ShowMessageBoxAsync(
            "Revoke token?",
            $"Scripts using \"{token.Name}\" ({token.Prefix}…) will get 401 Unauthorized from now on. This cannot be undone.",
            yesText: "Revoke", cancelText: "Cancel");
        if (confirmed != true)
        {
            return;
        }

        _busy = true;
        try
        {
            await Tokens.RevokeAsync(_actor, token.Id);
            if (_created?.Token.Id == token.Id)
            {
                _created = null;
            }

            Snackbar.Add($"Token \"{token.Name}\" revoked.", Severity.Success);
        }
        catch (DomainException ex)
        {
            Snackbar.Add(ex.Message, Severity.Warning);
        }
        finally
        {
            _tokens = await Tokens.ListAsync(_actor);
            _busy = false;
        }
    }

    private async Task CopyAsync()
    {
        if (_created is null)
        {
            return;
        }

        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", _created.Plaintext);
            Snackbar.Add("Token copied to the clipboard.", Severity.Info);
        }
        catch (JSException)
        {
            // The clipboard needs a secure context (HTTPS or localhost); the field can still be selected and copied.
            Snackbar.Add("Could not copy automatically: select the token and copy it.", Severity.Warning);
        }
    }

    private static string Format(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'");
}
