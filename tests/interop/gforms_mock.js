// Run a Google Apps Script that builds a form against a stand-in for Google's FormApp that
// records every call, and print the form it built as JSON (title, items with their kind,
// title, choices, required flag and validation). Only the FormApp methods the library's
// scripts may use exist here: a script calling anything else fails, which the tests want.
// Usage: node gforms_mock.js SCRIPT.gs
const fs = require("fs");
const vm = require("vm");

const form = { title: null, description: null, collectEmail: null, items: [] };

function item(kind) {
  const it = { kind, title: null, help: null, choices: null, required: false, validation: null };
  form.items.push(it);
  const b = {
    setTitle(t) { it.title = t; return b; },
    setHelpText(t) { it.help = t; return b; },
    setChoiceValues(v) { it.choices = v.slice(); return b; },
    setRequired(r) { it.required = r; return b; },
    setValidation(v) { it.validation = v; return b; },
  };
  return b;
}

function validation(kind) {
  const rule = { kind, rules: [] };
  const b = {
    requireSelectExactly(n) { rule.rules.push(["exactly", n]); return b; },
    requireSelectAtLeast(n) { rule.rules.push(["atLeast", n]); return b; },
    requireSelectAtMost(n) { rule.rules.push(["atMost", n]); return b; },
    requireTextMatchesPattern(p) { rule.rules.push(["pattern", p]); return b; },
    build() { return rule; },
  };
  return b;
}

const FormApp = {
  create(title) {
    form.title = title;
    const f = {
      setDescription(d) { form.description = d; return f; },
      setCollectEmail(c) { form.collectEmail = c; return f; },
      addCheckboxItem() { return item("checkbox"); },
      addMultipleChoiceItem() { return item("multipleChoice"); },
      addListItem() { return item("list"); },
      addTextItem() { return item("text"); },
      getPublishedUrl() { return "https://docs.google.com/forms/d/e/x/viewform"; },
      getEditUrl() { return "https://docs.google.com/forms/d/x/edit"; },
    };
    return f;
  },
  createCheckboxValidation() { return validation("checkbox"); },
  createTextValidation() { return validation("text"); },
};
const logs = [];
const context = { FormApp, Logger: { log: (m) => logs.push(String(m)) } };
vm.createContext(context);
vm.runInContext(fs.readFileSync(process.argv[2], "utf8"), context);
vm.runInContext("createForm()", context);
process.stdout.write(JSON.stringify({ form, logs }));
