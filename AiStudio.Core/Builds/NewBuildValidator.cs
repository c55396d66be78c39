using AiStudio.Core.Common;
using AiStudio.Core.Projects;

namespace AiStudio.Core.Builds;

internal static class NewBuildValidator
{
    public const int RequirementsMinLength = 20;

    public static void Validate(NewBuildRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ProjectId is null)
        {
            Check(errors, nameof(request.ProjectName), "Project", request.ProjectName, 1, Project.NameMaxLength);
        }

        Check(errors, nameof(request.Title), "Title", request.Title, 1, Build.TitleMaxLength);
        Check(errors, nameof(request.Requirements), "Requirements", request.Requirements, RequirementsMinLength, Build.RequirementsMaxLength, allowNewLines: true);
        if (request.Governance is { } governance)
        {
            if (!Enum.IsDefined(governance.Policy))
            {
                errors[nameof(BuildGovernance.Policy)] = ["Approval must be Manual or Automatic."];
            }

            if (governance.ReworkCap is < 0 or > BuildGovernance.MaxReworkCap)
            {
                errors[nameof(BuildGovernance.ReworkCap)] = [$"Rework cap must be between 0 and {BuildGovernance.MaxReworkCap}."];
            }

            if (governance.CostBudget is < 0 or > 1_000_000)
            {
                errors[nameof(BuildGovernance.CostBudget)] = ["Cost budget must be between 0 and 1,000,000 USD, or left empty for no budget."];
            }
        }

        if (errors.Count > 0)
        {
            throw new InputValidationException(errors);
        }
    }

    private static void Check(Dictionary<string, string[]> errors, string key, string label, string? value, int min, int max, bool allowNewLines = false)
    {
        var text = value?.Trim() ?? "";
        string? error = text.Length switch
        {
            0 => $"{label} is required.",
            _ when text.Length < min => $"{label} must be at least {min} characters; write a sentence or two about what you need.",
            _ when text.Length > max => $"{label} must be at most {max:N0} characters (it has {text.Length:N0}).",
            _ when text.Any(c => char.IsControl(c) && !(allowNewLines && c is '\n' or '\r' or '\t')) => $"{label} contains control characters; remove them.",
            _ => null,
        };
        if (error is not null)
        {
            errors[key] = [error];
        }
    }
}
