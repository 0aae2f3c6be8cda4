namespace XRayFlow.Core.Diagnostics;

/// <summary>
/// Every diagnostic code and its one message text. Codes are stable: never renumber or reuse one.
/// Ranges: XRF1xxx recipe syntax and binding, XRF2xxx command line and runs, XRF3xxx inline
/// expressions, XRF4xxx inputs and codecs, XRF5xxx planning and outputs.
/// Each area appends only inside its own section.
/// </summary>
public static class DiagnosticCodes
{
    // ===== XRF1xxx: recipe syntax and binding =====================================================
    public static readonly DiagnosticDescriptor YamlSyntax = new("XRF1001", Severity.Error, "invalid YAML: {0}");
    public static readonly DiagnosticDescriptor RecipeTooLarge = new("XRF1002", Severity.Error, "the recipe is {0} bytes; recipes are limited to 1 MiB (1048576 bytes)");
    public static readonly DiagnosticDescriptor UnknownOp = new("XRF1003", Severity.Error, "unknown op '{0}'{1}");
    public static readonly DiagnosticDescriptor EmptyRecipe = new("XRF1004", Severity.Error, "the recipe is empty; it needs at least 'xrayflow: 1', 'inputs' and 'steps'");
    public static readonly DiagnosticDescriptor AnchorOrAlias = new("XRF1005", Severity.Error, "YAML anchors, aliases and merge keys are not allowed in a recipe: found {0}");
    public static readonly DiagnosticDescriptor DuplicateKey = new("XRF1006", Severity.Error, "duplicate key '{0}' (first written on line {1})");
    public static readonly DiagnosticDescriptor NestingTooDeep = new("XRF1007", Severity.Error, "the recipe nests maps and lists deeper than {0} levels");
    public static readonly DiagnosticDescriptor SeveralDocuments = new("XRF1008", Severity.Error, "a recipe file holds exactly one YAML document; remove the second '---' document");
    public static readonly DiagnosticDescriptor TagNotAllowed = new("XRF1009", Severity.Error, "YAML tags are not allowed in a recipe: found '{0}'");
    public static readonly DiagnosticDescriptor Yaml11Boolean = new("XRF1010", Severity.Error, "'{0}' is ambiguous (YAML 1.1 tools read it as a boolean): write true or false, or quote it as a string");
    public static readonly DiagnosticDescriptor AmbiguousNumber = new("XRF1011", Severity.Error, "'{0}' is an ambiguous number (octal or hexadecimal to some YAML tools): write it in decimal without a leading zero, or quote it as a string");
    public static readonly DiagnosticDescriptor RecipeUnreadable = new("XRF1012", Severity.Error, "cannot read the recipe: {0}");
    public static readonly DiagnosticDescriptor MissingVersion = new("XRF1020", Severity.Error, "a recipe must start with 'xrayflow: 1' (the language version)");
    public static readonly DiagnosticDescriptor UnsupportedVersion = new("XRF1021", Severity.Error, "unsupported language version {0}; this xrayflow supports: {1}");
    public static readonly DiagnosticDescriptor UnknownTopLevelKey = new("XRF1022", Severity.Error, "unknown top-level key '{0}'{1}");
    public static readonly DiagnosticDescriptor WrongNodeType = new("XRF1023", Severity.Error, "{0} must be {1}; found {2}");
    public static readonly DiagnosticDescriptor UnknownInputKind = new("XRF1024", Severity.Error, "unknown input kind '{0}'; the kinds are image and stack{1}");
    public static readonly DiagnosticDescriptor MissingKey = new("XRF1025", Severity.Error, "{0} needs '{1}'");
    public static readonly DiagnosticDescriptor UnknownKey = new("XRF1026", Severity.Error, "unknown key '{0}' in {1}{2}");
    public static readonly DiagnosticDescriptor InvalidName = new("XRF1027", Severity.Error, "'{0}' is not a valid {1}: use letters, digits and '_', starting with a letter or '_'");
    public static readonly DiagnosticDescriptor DuplicateName = new("XRF1028", Severity.Error, "the name '{0}' is already used by {1} on line {2}");
    public static readonly DiagnosticDescriptor NoInputs = new("XRF1029", Severity.Error, "a recipe needs at least one input under 'inputs'");
    public static readonly DiagnosticDescriptor UnknownReference = new("XRF1030", Severity.Error, "unknown name '{0}': not an input or an earlier step{1}");
    public static readonly DiagnosticDescriptor ForwardReference = new("XRF1031", Severity.Error, "'{0}' is a later step (line {1}); a step can only use inputs and earlier steps");
    public static readonly DiagnosticDescriptor AmbiguousFirstInput = new("XRF1032", Severity.Error, "the first step has no 'in' and the recipe has several inputs ({0}); say which one with 'in:'");
    public static readonly DiagnosticDescriptor WrongInputCount = new("XRF1033", Severity.Error, "op '{0}' takes {1}; got {2}");
    public static readonly DiagnosticDescriptor InMapNotAllowed = new("XRF1034", Severity.Error, "op '{0}' does not take an 'in' map; write a name or a list of names");
    public static readonly DiagnosticDescriptor NeedsStack = new("XRF1035", Severity.Error, "op '{0}' needs a stack (N x H x W); '{1}' is {2}");
    public static readonly DiagnosticDescriptor TableNotAccepted = new("XRF1036", Severity.Error, "op '{0}' works on arrays; '{1}' is a table (statistics or histogram)");
    public static readonly DiagnosticDescriptor MixedInputKinds = new("XRF1037", Severity.Error, "op '{0}' needs inputs of one kind; '{1}' is {2} but '{3}' is {4}");
    public static readonly DiagnosticDescriptor UnknownParameter = new("XRF1038", Severity.Error, "op '{0}' has no parameter '{1}'{2}");
    public static readonly DiagnosticDescriptor ParamWrongType = new("XRF1039", Severity.Error, "parameter '{0}' of op '{1}' must be {2}; found {3}");
    public static readonly DiagnosticDescriptor ParamOutOfRange = new("XRF1040", Severity.Error, "parameter '{0}' of op '{1}' must be {2}; found {3}");
    public static readonly DiagnosticDescriptor ParamNotAllowed = new("XRF1041", Severity.Error, "'{0}' is not a valid value of '{1}' (one of: {2}){3}");
    public static readonly DiagnosticDescriptor MissingParameter = new("XRF1042", Severity.Error, "op '{0}' needs parameter '{1}' ({2})");
    public static readonly DiagnosticDescriptor UnknownParamRef = new("XRF1043", Severity.Error, "unknown param '${{{0}}}'; declare it under 'params'{1}");
    public static readonly DiagnosticDescriptor PartialParamRef = new("XRF1044", Severity.Error, "'${{{0}}}' must be the whole value; inside an expression write the param's name ({0}) directly");
    public static readonly DiagnosticDescriptor BadParamDeclaration = new("XRF1045", Severity.Error, "param '{0}' must be a number, true/false or a string; found {1}");
    public static readonly DiagnosticDescriptor UnknownSetParam = new("XRF1046", Severity.Error, "--set {0}: the recipe has no param '{0}'{1}");
    public static readonly DiagnosticDescriptor BadSetValue = new("XRF1047", Severity.Error, "--set {0}={1}: param '{0}' takes {2}");
    public static readonly DiagnosticDescriptor UnknownOutputSource = new("XRF1048", Severity.Error, "output '{0}' reads '{1}', which is not a step or an input{2}");
    public static readonly DiagnosticDescriptor UnknownOutputFormat = new("XRF1049", Severity.Error, "output path '{0}' has no known extension; use .npy, .png, .gif, .json or .csv");
    public static readonly DiagnosticDescriptor OutputKindMismatch = new("XRF1050", Severity.Error, "output '{0}': cannot write {1} as {2}; {3}");
    public static readonly DiagnosticDescriptor OutputPathEscapes = new("XRF1051", Severity.Error, "output path '{0}' must be relative and stay inside the output folder (--out)");
    public static readonly DiagnosticDescriptor UnknownPlaceholder = new("XRF1052", Severity.Error, "unknown placeholder '{{{0}}}' in output path; the placeholders are {{stem}} and {{relstem}}{1}");
    public static readonly DiagnosticDescriptor DuplicateOutputPath = new("XRF1053", Severity.Error, "outputs '{0}' and '{1}' write the same path '{2}'");
    public static readonly DiagnosticDescriptor UnknownColormap = new("XRF1054", Severity.Error, "unknown colormap '{0}' (one of: {1}){2}");
    public static readonly DiagnosticDescriptor BadOutputOption = new("XRF1055", Severity.Error, "output option '{0}' must be {1}; found {2}");
    public static readonly DiagnosticDescriptor TestUnknownName = new("XRF1056", Severity.Error, "test '{0}': the recipe has no {1} '{2}'{3}");
    public static readonly DiagnosticDescriptor BadDigest = new("XRF1057", Severity.Error, "'{0}' is not a digest; write sha256: followed by 64 hexadecimal digits");
    public static readonly DiagnosticDescriptor FourierGaussianOnSpatial = new("XRF1058", Severity.Warning, "step '{0}': {1}");
    public static readonly DiagnosticDescriptor EmptyName = new("XRF1059", Severity.Error, "{0} must not be empty");
    public static readonly DiagnosticDescriptor ReservedVariable = new("XRF1060", Severity.Error, "'{0}' cannot name an 'in' variable: expressions already use it for {1}");
    public static readonly DiagnosticDescriptor PerAxisCount = new("XRF1061", Severity.Error, "parameter '{0}' of op '{1}' takes one value or two, [axis 0, axis 1] (a stack is filtered frame by frame); found {2} values");
    public static readonly DiagnosticDescriptor OpRuleBroken = new("XRF1062", Severity.Error, "step '{0}': {1}");
    public static readonly DiagnosticDescriptor OpRuleWarning = new("XRF1063", Severity.Warning, "step '{0}': {1}");
    public static readonly DiagnosticDescriptor ComplexNotAccepted = new("XRF1064", Severity.Error, "op '{0}' takes a real array; '{1}' is complex (use abs, or ifft2 with part: real|imag|abs)");
    public static readonly DiagnosticDescriptor ScalarNotAccepted = new("XRF1065", Severity.Error, "op '{0}' works on arrays; '{1}' is a scalar: use it as ${{{1}}} in a numeric parameter, or as a variable of an expression's `in` map");
    public static readonly DiagnosticDescriptor NotAScalar = new("XRF1066", Severity.Error, "'${{{0}}}' is {1}; a `${{...}}` value is a param or a number a step computes (a scalar step such as threshold_otsu or percentile, or a field such as stats.p99){2}");
    public static readonly DiagnosticDescriptor ScalarNotAllowedHere = new("XRF1067", Severity.Error, "parameter '{0}' of op '{1}' must be {2}, known before the run; '${{{3}}}' is computed per image");
    public static readonly DiagnosticDescriptor ListCount = new("XRF1068", Severity.Error, "parameter '{0}' of op '{1}' takes {2}; found {3}");
    public static readonly DiagnosticDescriptor ShapeProblem = new("XRF1069", Severity.Error, "step '{0}': {1}");
    public static readonly DiagnosticDescriptor ReservedParamName = new("XRF1070", Severity.Error, "param '{0}' would be hidden by the built-in '{0}' ({1}) that every expression sees; rename the param");
    public static readonly DiagnosticDescriptor PathHasNul = new("XRF1071", Severity.Error, "{0} holds a NUL character, which no path can hold");
    public static readonly DiagnosticDescriptor TooManySteps = new("XRF1072", Severity.Error, "the recipe has {0} steps; a recipe may have at most {1}");
    public static readonly DiagnosticDescriptor BadAccept = new("XRF1073", Severity.Error, "accept: '{0}' {1}; a step accepts only the warnings of its own checks ({2})");
    public static readonly DiagnosticDescriptor GlyphMissing = new("XRF1075", Severity.Warning, "{0} has {1} that the figure font (DejaVu Sans, shipped) cannot draw: each is drawn as an empty box");
    public static readonly DiagnosticDescriptor StepRefInExpression = new("XRF1076", Severity.Error, "'${{{0}}}' names step '{1}', whose value exists only when the recipe runs, so an expression cannot take it as `${{...}}`{2}");
    public static readonly DiagnosticDescriptor PixelVariableWithoutPixels = new("XRF1074", Severity.Error, "step '{0}': '{1}' is {2}, but every input of this step is a scalar, so it computes one number and has no pixels; give it an image input, or leave '{1}' out");
    public static readonly DiagnosticDescriptor TextParamInExpression = new("XRF1077", Severity.Error, "step '{0}': param '{1}' is text ('{2}'), but an expression reads params as numbers (text would be NaN in every pixel); give the param a number, or use a number here");

    // ===== end XRF1xxx =============================================================================


    // ===== XRF2xxx: command line and runs ==========================================================
    public static readonly DiagnosticDescriptor BadCommandLine = new("XRF2001", Severity.Error, "{0}");

    public static readonly DiagnosticDescriptor InputNotBound = new("XRF2002", Severity.Error, "input '{0}' has no file: give --input {0}=PATH (or a `default:` path in the recipe)");
    public static readonly DiagnosticDescriptor UnknownInputName = new("XRF2003", Severity.Error, "--input names '{0}', which the recipe does not declare (its inputs: {1})");
    public static readonly DiagnosticDescriptor NotNameValue = new("XRF2004", Severity.Error, "{0} '{1}' is not NAME=VALUE");
    public static readonly DiagnosticDescriptor InputFileMissing = new("XRF2005", Severity.Error, "input '{0}': file '{1}' does not exist");
    public static readonly DiagnosticDescriptor GlobNoMatch = new("XRF2006", Severity.Error, "input '{0}': no file matches '{1}'");
    public static readonly DiagnosticDescriptor TwoBatchInputs = new("XRF2007", Severity.Error, "only one image input may be a glob (a batch); '{0}' and '{1}' both are");
    public static readonly DiagnosticDescriptor OutputCollision = new("XRF2008", Severity.Error, "outputs collide: '{0}' would be written for {1} and for {2}{3}");
    public static readonly DiagnosticDescriptor OutputOutsideOut = new("XRF2009", Severity.Error, "output '{0}': path '{1}' is absolute or leaves the output folder");
    public static readonly DiagnosticDescriptor RecipeFileMissing = new("XRF2010", Severity.Error, "recipe file '{0}' {1}");
    public static readonly DiagnosticDescriptor NoExpressionCompiler = new("XRF2011", Severity.Error, "step '{0}' has inline expressions but no expression compiler is available");
    public static readonly DiagnosticDescriptor InputFailed = new("XRF2012", Severity.Error, "{0}: failed: {1}");
    public static readonly DiagnosticDescriptor ManifestUnreadable = new("XRF2013", Severity.Error, "cannot read manifest '{0}': {1}");
    public static readonly DiagnosticDescriptor RecipeChanged = new("XRF2014", Severity.Error, "recipe '{0}' changed since the run (sha256 {1}; the manifest says {2})");
    public static readonly DiagnosticDescriptor VerifyDifference = new("XRF2015", Severity.Error, "{0}: {1}");
    public static readonly DiagnosticDescriptor UnknownOpName = new("XRF2016", Severity.Error, "no op named '{0}'{1}");
    public static readonly DiagnosticDescriptor NotImplemented = new("XRF2017", Severity.Error, "'{0}' is not implemented yet");
    public static readonly DiagnosticDescriptor InternalError = new("XRF2018", Severity.Error, "internal error: {0} (this is a bug in xrayflow; please report it)");
    public static readonly DiagnosticDescriptor TooManyPixels = new("XRF2019", Severity.Error, "{0} has {1} pixels, more than --max-pixels {2}");
    public static readonly DiagnosticDescriptor OutputWriteFailed = new("XRF2020", Severity.Error, "cannot write output '{0}': {1}");
    public static readonly DiagnosticDescriptor BadOptionValue = new("XRF2021", Severity.Error, "{0}: {1}");
    public static readonly DiagnosticDescriptor ImageUnreadable = new("XRF2022", Severity.Error, "cannot read image '{0}': {1}");
    public static readonly DiagnosticDescriptor InputNotRegularFile = new("XRF2023", Severity.Error, "{0}: '{1}' is {2}, not a regular file");
    public static readonly DiagnosticDescriptor PathOutsideRecipeFolder = new("XRF2024", Severity.Error, "{0}: '{1}' is outside the recipe's folder '{2}'; a recipe's `default:` and `tests:` paths stay inside it (give other files with --input)");
    public static readonly DiagnosticDescriptor OutputPathHasNul = new("XRF2025", Severity.Error, "output '{0}': path '{1}' holds a NUL character, which no file name can hold");
    public static readonly DiagnosticDescriptor OutFolderInUse = new("XRF2026", Severity.Error, "--out '{0}' is in use by another xrayflow run ({1}); wait for it to finish or choose another folder");
    public static readonly DiagnosticDescriptor ManifestWriteFailed = new("XRF2027", Severity.Error, "cannot write '{0}': {1}; the outputs already written are complete: run again with --resume to finish and record them");
    public static readonly DiagnosticDescriptor ProfileWriteFailed = new("XRF2028", Severity.Error, "cannot write the profile '{0}': {1}");
    public static readonly DiagnosticDescriptor InputNotRecorded = new("XRF2029", Severity.Error, "input '{0}': '{1}' is not among the input files the manifest records; verify reads only those");
    public static readonly DiagnosticDescriptor OutputThroughLink = new("XRF2030", Severity.Error, "output '{0}': path '{1}' goes through '{2}', a symbolic link under --out; outputs never follow links (they could land outside --out)");
    public static readonly DiagnosticDescriptor InputListProblem = new("XRF2031", Severity.Error, "input '{0}': list '{1}': {2}");
    public static readonly DiagnosticDescriptor ShardMissing = new("XRF2032", Severity.Error, "shard {0} of {1} did not finish: '{2}' is missing");
    public static readonly DiagnosticDescriptor ShardInconsistent = new("XRF2033", Severity.Error, "shard {0} of {1} ('{2}'): {3}");
    public static readonly DiagnosticDescriptor OutputClaimedTwice = new("XRF2034", Severity.Error, "output '{0}' is claimed twice: by '{1}' in shard {2} and by '{3}' in shard {4}");
    public static readonly DiagnosticDescriptor NothingToMerge = new("XRF2035", Severity.Error, "'{0}' holds no shard manifest (manifest.shard-NNNN-of-NNNN.json); run `xrayflow run ... --shard I/N --out {0}` first");
    public static readonly DiagnosticDescriptor InputGivenTwice = new("XRF2036", Severity.Error, "--input {0} is given twice ('{1}', then '{2}'); give it once: one file, a folder (its images), a quoted glob ('{0}=images/**/*.png') or an @list file");
    public static readonly DiagnosticDescriptor ManifestOfAnotherRecipe = new("XRF2037", Severity.Error, "--out '{0}' holds the {1} of recipe '{2}'; this run of '{3}' would replace it: choose another folder with --out, or pass --force to replace it");
    public static readonly DiagnosticDescriptor ReportWriteFailed = new("XRF2038", Severity.Error, "cannot write the report '{0}': {1}; the outputs and manifest.json are complete");
    public static readonly DiagnosticDescriptor WatchServerFailed = new("XRF2039", Severity.Error, "cannot serve the live report on http://127.0.0.1:{0}/: {1}");
    // XRF2050 on: issue 17's command-line items (2036-2049 left to the parallel work on the same issue).
    public static readonly DiagnosticDescriptor InitWouldOverwrite = new("XRF2050", Severity.Error, "'{0}' already exists; `xrayflow init` never replaces a file: choose another name or --dir, or remove it");
    public static readonly DiagnosticDescriptor ProfileOverRunFile = new("XRF2051", Severity.Error, "--profile '{0}' is where the run writes {1}; give --profile a path the run does not write");
    public static readonly DiagnosticDescriptor OutputNameTooLong = new("XRF2052", Severity.Error, "{0}: the name '{1}' is {2} bytes long; a file or folder name can have at most {3} bytes");
    public static readonly DiagnosticDescriptor ResumeManifestUnusable = new("XRF2060", Severity.Warning, "--resume: '{0}' {1}: no earlier work is reused, every input runs again");
    public static readonly DiagnosticDescriptor OutputOverInput = new("XRF2053", Severity.Error, "{0} would replace '{1}', a file the run reads (input '{2}'); an output never replaces an input: give the output another path or --out");
    public static readonly DiagnosticDescriptor StoppedAfterFailures = new("XRF2062", Severity.Error, "the run stopped after {0} failed input(s) (--max-failures {1}): {2} of its {3} input(s) not run; run it again with --resume into the same --out to run them (and the failed ones)");
    public static readonly DiagnosticDescriptor InputHeaderUnreadable = new("XRF2063", Severity.Warning, "input '{0}': '{1}' has no readable image header ({2}): its shape is unknown ('?'), and `run` would fail it");
    public static readonly DiagnosticDescriptor StoppedRunNotVerified = new("XRF2064", Severity.Warning, "'{0}' is the manifest of a run that stopped before the end: {1} of its {2} input(s) were not run, so verify cannot check them (`xrayflow run ... --resume` into its folder finishes the run)");
    public static readonly DiagnosticDescriptor OneImagePerInput = new("XRF2061", Severity.Error, "input '{0}': {1} files match '{2}', but the library's Recipe.Run and `xrayflow arrays` take one image per image input: run once per file, or use `xrayflow run` for a batch");

    // ===== end XRF2xxx =============================================================================


    // ===== XRF3xxx: inline C# expressions ==========================================================
    public static readonly DiagnosticDescriptor ExpressionSyntax = new("XRF3001", Severity.Error, "not a single C# expression: {0}");
    public static readonly DiagnosticDescriptor ExpressionForbiddenConstruct = new("XRF3002", Severity.Error, "{0} is not allowed in an expression: {1}");
    public static readonly DiagnosticDescriptor ExpressionForbiddenSymbol = new("XRF3003", Severity.Error, "'{0}' is not allowed in an expression: only the step's variables, Math/MathF members and numeric constants may be used");
    public static readonly DiagnosticDescriptor ExpressionUnknownName = new("XRF3004", Severity.Error, "unknown name '{0}'{1}; the variables here are {2}");
    public static readonly DiagnosticDescriptor ExpressionType = new("XRF3005", Severity.Error, "'{0}' must be {1}, but this expression is of type {2}");
    public static readonly DiagnosticDescriptor ExpressionTooLong = new("XRF3006", Severity.Error, "expression is {0} bytes long; the limit is {1} bytes");
    public static readonly DiagnosticDescriptor ExpressionTooDeep = new("XRF3007", Severity.Error, "expression nests deeper than {0} levels");
    public static readonly DiagnosticDescriptor ExpressionCompile = new("XRF3008", Severity.Error, "C# {0}: {1}");
    public static readonly DiagnosticDescriptor ExpressionBadVariable = new("XRF3009", Severity.Error, "'{0}' cannot name an expression variable: {1}");
    public static readonly DiagnosticDescriptor ExpressionStepShape = new("XRF3010", Severity.Error, "step '{0}': {1}");
    public static readonly DiagnosticDescriptor ExpressionCacheNotUsed = new("XRF3011", Severity.Warning, "the expression cache is not used: {0}; expressions are compiled in memory on every run");

    // ===== end XRF3xxx =============================================================================


    // ===== XRF4xxx: inputs and codecs ==============================================================
    // (none yet: an unreadable input is a per-input failure, ImageDecodeException's reason in the run's
    // summary and manifest, exit 1 — not a recipe diagnostic)
    // ===== end XRF4xxx =============================================================================


    // ===== XRF5xxx: planning and outputs ===========================================================
    public static readonly DiagnosticDescriptor UnusedStep = new("XRF5001", Severity.Warning, "step '{0}' reaches no output and is skipped");

    // ===== end XRF5xxx =============================================================================


    // ===== XRF7xxx: recipe self-tests (`xrayflow test`) =============================================
    public static readonly DiagnosticDescriptor RecipeHasNoTests = new("XRF7001", Severity.Error, "recipe '{0}' has no `tests:` section; add one (name, inputs, expect) to lock its outputs");
    public static readonly DiagnosticDescriptor TestFileUnusable = new("XRF7002", Severity.Warning, "test '{0}': {1} ({2}) {3}; `xrayflow test` cannot run this test until it is");

    // ===== end XRF7xxx =============================================================================

    /// <summary>All descriptors, found by reflection once (for docs and for the each-code-has-a-test check).</summary>
    public static IReadOnlyList<DiagnosticDescriptor> All { get; } =
        typeof(DiagnosticCodes).GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .OrderBy(d => d.Code, StringComparer.Ordinal)
            .ToList();
}
