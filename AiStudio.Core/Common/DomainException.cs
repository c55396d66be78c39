namespace AiStudio.Core.Common;

/// <summary>A rule of the domain was broken; the message is written for the person who tried.</summary>
public class DomainException(string message) : Exception(message);

/// <summary>Input failed validation; nothing was changed.</summary>
public sealed class InputValidationException(IReadOnlyDictionary<string, string[]> errors)
    : DomainException(string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>Someone else changed the same thing first; the caller's change was not applied.</summary>
public sealed class ConcurrencyConflictException(string message) : DomainException(message);

/// <summary>
/// The thing does not exist or the actor may not see it. Deliberately one exception for both,
/// so that an id from another team cannot be told apart from an id that does not exist.
/// </summary>
public sealed class NotFoundException(string what) : DomainException($"{what} was not found.");
