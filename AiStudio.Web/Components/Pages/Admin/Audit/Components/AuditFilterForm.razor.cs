using AiStudio.Core.Audit;
using Microsoft.AspNetCore.Components;

namespace AiStudio.Web.Components.Pages.Admin.Audit.Components;

public sealed partial class AuditFilterForm
{
    private string? _actor;
    private string? _projectId;
    private string? _buildId;
    private string? _action;
    private DateTime? _from;
    private DateTime? _to;
    private string? _projectError;
    private string? _buildError;
    private string? _dateError;

    [Parameter, EditorRequired] public required EventCallback<AuditFilter> OnApply { get; set; }

    private async Task ApplyAsync()
    {
        _projectError = ParseId(_projectId, "project", out var projectId);
        _buildError = ParseId(_buildId, "build", out var buildId);

        // Whole UTC days: "To" includes its day, so the service's exclusive bound is the next midnight.
        var from = _from is { } f ? new DateTimeOffset(f.Date, TimeSpan.Zero) : (DateTimeOffset?)null;
        var to = _to is { } t ? new DateTimeOffset(t.Date.AddDays(1), TimeSpan.Zero) : (DateTimeOffset?)null;
        _dateError = from is not null && to is not null && from >= to ? "\"To\" must not be before \"From\"." : null;
        if (_projectError is not null || _buildError is not null || _dateError is not null)
        {
            return;
        }

        await OnApply.InvokeAsync(new AuditFilter(_actor, projectId, buildId, _action, from, to));
    }

    private async Task ClearAsync()
    {
        _actor = _projectId = _buildId = _action = null;
        _from = _to = null;
        _projectError = _buildError = _dateError = null;
        await OnApply.InvokeAsync(AuditFilter.None);
    }

    private static string? ParseId(string? text, string what, out Guid? id)
    {
        id = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (Guid.TryParse(text.Trim(), out var parsed))
        {
            id = parsed;
            return null;
        }

        return $"That is not a {what} id (expected something like 3f2504e0-4f89-11d3-9a0c-0305e82c3301).";
    }
}
