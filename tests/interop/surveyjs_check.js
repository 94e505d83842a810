// Load a SurveyJS survey into the real survey-core model, answer it, and report what the model
// says: JSON errors, the questions it built, validation errors, and the resulting data.
// Usage: node surveyjs_check.js SURVEY.json ANSWERS.json   (ANSWERS: a list of answer objects)
// NODE_PATH must hold survey-core. Prints one JSON document on stdout.
const fs = require("fs");
const Survey = require("survey-core");

const json = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const answers = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
const out = { version: Survey.Version, jsonErrors: [], questions: [], results: [] };

const model = new Survey.Model(json);
out.jsonErrors = (model.jsonErrors || []).map((e) => String(e.message || e));
out.questions = model.getAllQuestions().map((q) => ({
  name: q.name,
  type: q.getType(),
  choices: (q.choices || []).map((c) => c.value),
  min: q.minSelectedChoices,
  max: q.maxSelectedChoices,
  required: q.isRequired,
}));
out.locales = model.getUsedLocales();

for (const answer of answers) {
  const s = new Survey.Model(json);
  for (const [name, value] of Object.entries(answer)) s.setValue(name, value);
  const errors = [];
  for (const q of s.getAllQuestions()) {
    if (q.hasErrors(true)) errors.push({ name: q.name, errors: q.errors.map((e) => e.getText()) });
  }
  const titles = {};
  for (const locale of ["id", "en"]) {
    s.locale = locale;
    titles[locale] = s.getAllQuestions().map((q) => q.processedTitle);
  }
  out.results.push({ errors, data: s.data, titles });
}
process.stdout.write(JSON.stringify(out));
