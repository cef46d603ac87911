/// A refused form as the admin typed it. The page that holds the form is rendered again with
/// it (`AdminRequest.typed`), so one mistyped field costs one correction, not the whole form.
struct TypedForm {
    /// Where the form was posted: only the form with this action on the page shows the values.
    let action: String
    let values: [String: String]
}

/// The values of one form on a page: what the page puts in it, or, when this is the form that
/// was refused, what was typed. The templates write hidden fields (the CSRF token, ids) from the
/// page's own values, never from these.
struct FormFill {
    /// The refused form's fields; nil when the form shows the page's values.
    let typed: [String: String]?

    /// A text field, number, date or text area: as typed, else `value`.
    func text(_ name: String, _ value: String) -> String { typed?[name] ?? value }

    /// A checkbox: ticked when it was sent with its value (a box left unticked is not sent at
    /// all), else as `checked` says.
    func checked(_ name: String, value: String, _ checked: Bool) -> Bool {
        guard let typed else { return checked }
        return typed[name] == value
    }

    /// A select's options (`value`, `label`, `selected`): the one typed is selected, else the one
    /// whose value is `selected` (none: the browser shows the first).
    func options(_ name: String, _ choices: [(value: String, label: String)], selected: String?) -> [[String: Any]] {
        let chosen = typed?[name] ?? selected
        return choices.map { ["value": $0.value, "label": $0.label, "selected": $0.value == chosen] }
    }
}

extension AdminRequest {
    /// The values the form posted to `action` shows on this page.
    func fill(_ action: String) -> FormFill {
        FormFill(typed: typed.flatMap { $0.action == action ? $0.values : nil })
    }
}
