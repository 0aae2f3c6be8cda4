namespace XRayFlow.Core.Diagnostics;

/// <summary>
/// Recipe syntax and binding problems (XRF1xxx): one method per code, its parameters named for what the
/// message says, so a missing or swapped argument is a compile error. The message texts stay in
/// <see cref="DiagnosticCodes"/>; a test checks that every XRF1xxx code has exactly one method here and that
/// each method takes one parameter per placeholder of its text.
/// Parameters named <c>suggestion</c> or <c>hint</c> are complete suffixes ("; did you mean 'x'?" or empty).
/// </summary>
public sealed partial class DiagnosticBag
{
    private void Emit(DiagnosticDescriptor descriptor, SourceLocation? at, params object?[] args)
        => _items.Add(descriptor.Create(at, args));

    // ----- the YAML reader and the loader (XRF1001-XRF1012)

    public void ReportYamlSyntax(SourceLocation at, string message)
        => Emit(DiagnosticCodes.YamlSyntax, at, message);

    public void ReportRecipeTooLarge(SourceLocation at, long bytes)
        => Emit(DiagnosticCodes.RecipeTooLarge, at, bytes);

    public void ReportUnknownOp(SourceLocation at, string name, string hint)
        => Emit(DiagnosticCodes.UnknownOp, at, name, hint);

    public void ReportEmptyRecipe(SourceLocation at)
        => Emit(DiagnosticCodes.EmptyRecipe, at);

    /// <param name="found">What was found, e.g. "alias '*a'", "anchor '&amp;a'", "merge key '&lt;&lt;'".</param>
    public void ReportAnchorOrAlias(SourceLocation at, string found)
        => Emit(DiagnosticCodes.AnchorOrAlias, at, found);

    public void ReportDuplicateKey(SourceLocation at, string key, int firstLine)
        => Emit(DiagnosticCodes.DuplicateKey, at, key, firstLine);

    public void ReportNestingTooDeep(SourceLocation at, int maxDepth)
        => Emit(DiagnosticCodes.NestingTooDeep, at, maxDepth);

    public void ReportSeveralDocuments(SourceLocation at)
        => Emit(DiagnosticCodes.SeveralDocuments, at);

    public void ReportTagNotAllowed(SourceLocation at, string tag)
        => Emit(DiagnosticCodes.TagNotAllowed, at, tag);

    public void ReportYaml11Boolean(SourceLocation at, string text)
        => Emit(DiagnosticCodes.Yaml11Boolean, at, text);

    public void ReportAmbiguousNumber(SourceLocation at, string text)
        => Emit(DiagnosticCodes.AmbiguousNumber, at, text);

    /// <summary>The recipe file cannot be read (no location: there is no text to point into).</summary>
    /// <param name="reason">"path: why", e.g. "r.yaml: no such file".</param>
    public void ReportRecipeUnreadable(string reason)
        => Emit(DiagnosticCodes.RecipeUnreadable, null, reason);

    // ----- the recipe's shape (XRF1020-XRF1029)

    public void ReportMissingVersion(SourceLocation at)
        => Emit(DiagnosticCodes.MissingVersion, at);

    public void ReportUnsupportedVersion(SourceLocation at, string found, string supported)
        => Emit(DiagnosticCodes.UnsupportedVersion, at, found, supported);

    public void ReportUnknownTopLevelKey(SourceLocation at, string key, string suggestion)
        => Emit(DiagnosticCodes.UnknownTopLevelKey, at, key, suggestion);

    /// <summary>"{what} must be {expected}; found {found}".</summary>
    public void ReportWrongNodeType(SourceLocation at, string what, string expected, string found)
        => Emit(DiagnosticCodes.WrongNodeType, at, what, expected, found);

    public void ReportUnknownInputKind(SourceLocation at, string kind, string suggestion)
        => Emit(DiagnosticCodes.UnknownInputKind, at, kind, suggestion);

    /// <summary>"{owner} needs '{key}'".</summary>
    public void ReportMissingKey(SourceLocation at, string owner, string key)
        => Emit(DiagnosticCodes.MissingKey, at, owner, key);

    /// <summary>"unknown key '{key}' in {owner}{hint}".</summary>
    public void ReportUnknownKey(SourceLocation at, string key, string owner, string hint)
        => Emit(DiagnosticCodes.UnknownKey, at, key, owner, hint);

    /// <param name="what">The kind of name, e.g. "step id", "input name".</param>
    public void ReportInvalidName(SourceLocation at, string name, string what)
        => Emit(DiagnosticCodes.InvalidName, at, name, what);

    /// <param name="usedBy">"an input" or "a step".</param>
    public void ReportDuplicateName(SourceLocation at, string name, string usedBy, int line)
        => Emit(DiagnosticCodes.DuplicateName, at, name, usedBy, line);

    public void ReportNoInputs(SourceLocation at)
        => Emit(DiagnosticCodes.NoInputs, at);

    // ----- step inputs (XRF1030-XRF1037)

    public void ReportUnknownReference(SourceLocation at, string name, string suggestion)
        => Emit(DiagnosticCodes.UnknownReference, at, name, suggestion);

    public void ReportForwardReference(SourceLocation at, string name, int stepLine)
        => Emit(DiagnosticCodes.ForwardReference, at, name, stepLine);

    /// <param name="inputs">The recipe's input names, comma-separated.</param>
    public void ReportAmbiguousFirstInput(SourceLocation at, string inputs)
        => Emit(DiagnosticCodes.AmbiguousFirstInput, at, inputs);

    /// <param name="arity">What the op takes, e.g. "1 input".</param>
    /// <param name="got">What the step gives, e.g. "2 inputs".</param>
    public void ReportWrongInputCount(SourceLocation at, string op, string arity, string got)
        => Emit(DiagnosticCodes.WrongInputCount, at, op, arity, got);

    public void ReportInMapNotAllowed(SourceLocation at, string op)
        => Emit(DiagnosticCodes.InMapNotAllowed, at, op);

    /// <param name="found">What the input is, e.g. "an image (H x W)".</param>
    public void ReportNeedsStack(SourceLocation at, string op, string input, string found)
        => Emit(DiagnosticCodes.NeedsStack, at, op, input, found);

    public void ReportTableNotAccepted(SourceLocation at, string op, string input)
        => Emit(DiagnosticCodes.TableNotAccepted, at, op, input);

    public void ReportMixedInputKinds(SourceLocation at, string op, string firstInput, string firstKind, string otherInput, string otherKind)
        => Emit(DiagnosticCodes.MixedInputKinds, at, op, firstInput, firstKind, otherInput, otherKind);

    // ----- parameters and params (XRF1038-XRF1047)

    public void ReportUnknownParameter(SourceLocation at, string op, string parameter, string suggestion)
        => Emit(DiagnosticCodes.UnknownParameter, at, op, parameter, suggestion);

    public void ReportParamWrongType(SourceLocation at, string parameter, string op, string expected, string found)
        => Emit(DiagnosticCodes.ParamWrongType, at, parameter, op, expected, found);

    public void ReportParamOutOfRange(SourceLocation at, string parameter, string op, string range, string found)
        => Emit(DiagnosticCodes.ParamOutOfRange, at, parameter, op, range, found);

    /// <param name="allowed">The allowed values, comma-separated.</param>
    public void ReportParamNotAllowed(SourceLocation at, string value, string parameter, string allowed, string suggestion)
        => Emit(DiagnosticCodes.ParamNotAllowed, at, value, parameter, allowed, suggestion);

    /// <param name="doc">The parameter's one-line description.</param>
    public void ReportMissingParameter(SourceLocation at, string op, string parameter, string doc)
        => Emit(DiagnosticCodes.MissingParameter, at, op, parameter, doc);

    /// <param name="reference">The text inside `${...}`.</param>
    public void ReportUnknownParamRef(SourceLocation at, string reference, string suggestion)
        => Emit(DiagnosticCodes.UnknownParamRef, at, reference, suggestion);

    public void ReportPartialParamRef(SourceLocation at, string reference)
        => Emit(DiagnosticCodes.PartialParamRef, at, reference);

    public void ReportBadParamDeclaration(SourceLocation at, string param, string found)
        => Emit(DiagnosticCodes.BadParamDeclaration, at, param, found);

    /// <summary>`--set` names a param the recipe does not declare (no location: it is on the command line).</summary>
    public void ReportUnknownSetParam(string param, string suggestion)
        => Emit(DiagnosticCodes.UnknownSetParam, null, param, suggestion);

    /// <param name="expected">What the param takes: "a number" or "true or false".</param>
    public void ReportBadSetValue(SourceLocation at, string param, string value, string expected)
        => Emit(DiagnosticCodes.BadSetValue, at, param, value, expected);

    // ----- outputs (XRF1048-XRF1055)

    public void ReportUnknownOutputSource(SourceLocation at, string output, string source, string suggestion)
        => Emit(DiagnosticCodes.UnknownOutputSource, at, output, source, suggestion);

    public void ReportUnknownOutputFormat(SourceLocation at, string path)
        => Emit(DiagnosticCodes.UnknownOutputFormat, at, path);

    /// <summary>"output '{output}': cannot write {value} as {extension}; {hint}".</summary>
    public void ReportOutputKindMismatch(SourceLocation at, string output, string value, string extension, string hint)
        => Emit(DiagnosticCodes.OutputKindMismatch, at, output, value, extension, hint);

    public void ReportOutputPathEscapes(SourceLocation at, string path)
        => Emit(DiagnosticCodes.OutputPathEscapes, at, path);

    /// <summary><paramref name="hint"/>: empty, or "; ..." (a param of that name: write `${name}` for its value).</summary>
    public void ReportUnknownPlaceholder(SourceLocation at, string placeholder, string hint)
        => Emit(DiagnosticCodes.UnknownPlaceholder, at, placeholder, hint);

    public void ReportDuplicateOutputPath(SourceLocation at, string firstOutput, string output, string path)
        => Emit(DiagnosticCodes.DuplicateOutputPath, at, firstOutput, output, path);

    /// <param name="known">The known colormaps, comma-separated.</param>
    public void ReportGlyphMissing(SourceLocation at, string what, string characters) => Report(DiagnosticCodes.GlyphMissing, at, what, characters);

    public void ReportUnknownColormap(SourceLocation at, string name, string known, string suggestion)
        => Emit(DiagnosticCodes.UnknownColormap, at, name, known, suggestion);

    public void ReportBadOutputOption(SourceLocation at, string option, string expected, string found)
        => Emit(DiagnosticCodes.BadOutputOption, at, option, expected, found);

    // ----- tests (XRF1056-XRF1057)

    /// <param name="kind">"input" or "output".</param>
    public void ReportTestUnknownName(SourceLocation at, string test, string kind, string name, string suggestion)
        => Emit(DiagnosticCodes.TestUnknownName, at, test, kind, name, suggestion);

    public void ReportBadDigest(SourceLocation at, string text)
        => Emit(DiagnosticCodes.BadDigest, at, text);

    // ----- later additions (XRF1058-)

    /// <summary>fourier_gaussian's rule (a warning): its input is not a Fourier transform.</summary>
    public void ReportFourierGaussianOnSpatial(SourceLocation at, string step, string problem)
        => Emit(DiagnosticCodes.FourierGaussianOnSpatial, at, step, problem);

    public void ReportEmptyName(SourceLocation at, string what)
        => Emit(DiagnosticCodes.EmptyName, at, what);

    /// <param name="use">What expressions already use the name for.</param>
    public void ReportReservedVariable(SourceLocation at, string name, string use)
        => Emit(DiagnosticCodes.ReservedVariable, at, name, use);

    public void ReportPerAxisCount(SourceLocation at, string parameter, string op, int count)
        => Emit(DiagnosticCodes.PerAxisCount, at, parameter, op, count);

    /// <summary>An op rule without a dedicated code, broken (an error).</summary>
    public void ReportOpRuleBroken(SourceLocation at, string step, string problem)
        => Emit(DiagnosticCodes.OpRuleBroken, at, step, problem);

    /// <summary>An op rule without a dedicated code, as a warning.</summary>
    public void ReportOpRuleWarning(SourceLocation at, string step, string problem)
        => Emit(DiagnosticCodes.OpRuleWarning, at, step, problem);

    public void ReportComplexNotAccepted(SourceLocation at, string op, string input)
        => Emit(DiagnosticCodes.ComplexNotAccepted, at, op, input);

    public void ReportScalarNotAccepted(SourceLocation at, string op, string input)
        => Emit(DiagnosticCodes.ScalarNotAccepted, at, op, input);

    /// <param name="reference">The text inside `${...}`.</param>
    /// <param name="what">What it names instead of a number, e.g. "an input, an image".</param>
    public void ReportNotAScalar(SourceLocation at, string reference, string what, string hint)
        => Emit(DiagnosticCodes.NotAScalar, at, reference, what, hint);

    /// <param name="reference">The text inside `${...}`.</param>
    /// <param name="step">The step it names.</param>
    /// <param name="hint">How to read it instead, starting with "; ".</param>
    public void ReportStepRefInExpression(SourceLocation at, string reference, string step, string hint)
        => Emit(DiagnosticCodes.StepRefInExpression, at, reference, step, hint);

    public void ReportScalarNotAllowedHere(SourceLocation at, string parameter, string op, string expected, string reference)
        => Emit(DiagnosticCodes.ScalarNotAllowedHere, at, parameter, op, expected, reference);

    /// <param name="expected">How many values, e.g. "4 values".</param>
    /// <param name="found">How many were given, e.g. "3 values".</param>
    public void ReportListCount(SourceLocation at, string parameter, string op, string expected, string found)
        => Emit(DiagnosticCodes.ListCount, at, parameter, op, expected, found);

    /// <summary>A step's shape rule broken (reported by the planner, which knows the input shapes).</summary>
    public void ReportShapeProblem(SourceLocation at, string step, string problem)
        => Emit(DiagnosticCodes.ShapeProblem, at, step, problem);

    /// <param name="name">The param's name (i, j, rows or cols).</param>
    /// <param name="builtIn">What the built-in of that name is, e.g. "the row index".</param>
    public void ReportReservedParamName(SourceLocation at, string name, string builtIn)
        => Emit(DiagnosticCodes.ReservedParamName, at, name, builtIn);

    /// <param name="what">The path's role, e.g. "the default of input 'xray'".</param>
    public void ReportPathHasNul(SourceLocation at, string what)
        => Emit(DiagnosticCodes.PathHasNul, at, what);

    public void ReportTooManySteps(SourceLocation at, int steps, int max)
        => Emit(DiagnosticCodes.TooManySteps, at, steps, max);

    /// <param name="code">The code as written under the step's `accept:`.</param>
    /// <param name="why">Why it cannot be accepted, e.g. "is not a diagnostic code".</param>
    /// <param name="acceptable">The codes a step may accept, e.g. "XRF1058, XRF1063, XRF5001".</param>
    public void ReportBadAccept(SourceLocation at, string code, string why, string acceptable)
        => Emit(DiagnosticCodes.BadAccept, at, code, why, acceptable);

    /// <param name="step">The map or where step whose `in` variables are all scalars.</param>
    /// <param name="name">The per-pixel built-in its expression uses (i, j, rows or cols).</param>
    /// <param name="what">What that built-in is, e.g. "the row index".</param>
    public void ReportPixelVariableWithoutPixels(SourceLocation at, string step, string name, string what)
        => Emit(DiagnosticCodes.PixelVariableWithoutPixels, at, step, name, what);

    public void ReportTextParamInExpression(SourceLocation at, string step, string param, string value)
        => Emit(DiagnosticCodes.TextParamInExpression, at, step, param, value);
}
