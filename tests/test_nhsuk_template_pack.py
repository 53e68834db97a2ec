"""The ``nhsuk`` crispy template pack renders NHS.UK frontend v10 component markup.

Each expected snippet is the matching fixture from
node_modules/nhsuk-frontend/dist/nhsuk/components/<component>/fixtures.json, with the
fixture's ids and names swapped for the ones Django gives the test form.
"""

import datetime

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import SimpleTestCase

from culture_of_care.nhsuk_forms import Button, DateInputField, Field, Fieldset, LongTextField

_assertions = SimpleTestCase()
_assertions.maxDiff = None
assert_html_equal = _assertions.assertHTMLEqual
assert_in_html = _assertions.assertInHTML


def render_layout(form: forms.Form, *layout, show_error_summary: bool = False) -> str:
    """Render the layout with ``{% crispy form helper %}`` and no ``<form>`` tag."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.show_error_summary = show_error_summary
    helper.layout = Layout(*layout)
    template = Template("{% load crispy_forms_tags %}{% crispy form helper %}")
    return template.render(Context({"form": form, "helper": helper}))


CONTACT_CHOICES = [("email", "Email"), ("phone", "Phone"), ("text", "Text message")]


def test_text_input_renders_label_as_page_heading():
    class NameForm(forms.Form):
        example = forms.CharField(label="What is your full name?")

    html = render_layout(NameForm(), Field("example", label_size="l", is_page_heading=True))

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group">
          <h1 class="nhsuk-label-wrapper">
            <label class="nhsuk-label nhsuk-label--l" for="id_example">
              What is your full name?
            </label>
          </h1>
          <input class="nhsuk-input" id="id_example" name="example" type="text">
        </div>
        """,
    )


def test_text_input_with_hint_and_error_links_both_from_the_input():
    class NhsNumberForm(forms.Form):
        example = forms.CharField(
            label="What is your NHS number?",
            help_text=(
                'This is a 10 digit number (like <span class="nhsuk-u-nowrap">999 123 4567</span>)'
                " that you can find on an NHS letter, prescription or in the NHS App"
            ),
            error_messages={"required": "Enter NHS number"},
        )

    form = NhsNumberForm(data={"example": ""})
    html = render_layout(
        form,
        Field(
            "example",
            label_size="l",
            is_page_heading=True,
            css_class="nhsuk-input--code nhsuk-input--width-10",
            spellcheck="false",
            inputmode="numeric",
        ),
    )

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <h1 class="nhsuk-label-wrapper">
            <label class="nhsuk-label nhsuk-label--l" for="id_example">
              What is your NHS number?
            </label>
          </h1>
          <div class="nhsuk-hint" id="id_example-hint">
            This is a 10 digit number (like <span class="nhsuk-u-nowrap">999 123 4567</span>) that you can find on an NHS letter, prescription or in the NHS App
          </div>
          <span class="nhsuk-error-message" id="id_example-error">
            <span class="nhsuk-u-visually-hidden">Error: </span>Enter NHS number
          </span>
          <input class="nhsuk-input nhsuk-input--code nhsuk-input--error nhsuk-input--width-10" id="id_example" name="example" type="text" spellcheck="false" aria-describedby="id_example-hint id_example-error" inputmode="numeric">
        </div>
        """,  # noqa: E501
    )


def test_textarea_renders_rows_from_widget_and_hint():
    class DetailForm(forms.Form):
        example = forms.CharField(
            label="Can you provide more detail?",
            help_text=(
                "Do not include personal information like your name, date of birth or NHS number"
            ),
            widget=forms.Textarea(attrs={"rows": 5}),
        )

    html = render_layout(DetailForm(), Field("example", label_size="l", is_page_heading=True))

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group">
          <h1 class="nhsuk-label-wrapper">
            <label class="nhsuk-label nhsuk-label--l" for="id_example">
              Can you provide more detail?
            </label>
          </h1>
          <div class="nhsuk-hint" id="id_example-hint">
            Do not include personal information like your name, date of birth or NHS number
          </div>
          <textarea class="nhsuk-textarea" id="id_example" name="example" rows="5" aria-describedby="id_example-hint"></textarea>
        </div>
        """,  # noqa: E501
    )


def test_radios_render_in_fieldset_with_legend_heading():
    class ContactForm(forms.Form):
        example = forms.ChoiceField(
            label="How do you want to be contacted about this?",
            choices=CONTACT_CHOICES,
            widget=forms.RadioSelect,
        )

    html = render_layout(ContactForm(), Field("example", label_size="l", is_page_heading=True))

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group">
          <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">
              <h1 class="nhsuk-fieldset__heading">
                How do you want to be contacted about this?
              </h1>
            </legend>
            <div class="nhsuk-radios" data-module="nhsuk-radios">
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_example" name="example" type="radio" value="email">
                <label class="nhsuk-label nhsuk-radios__label" for="id_example">
                  Email
                </label>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_example-2" name="example" type="radio" value="phone">
                <label class="nhsuk-label nhsuk-radios__label" for="id_example-2">
                  Phone
                </label>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_example-3" name="example" type="radio" value="text">
                <label class="nhsuk-label nhsuk-radios__label" for="id_example-3">
                  Text message
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        """,  # noqa: E501
    )


def test_radios_inline_with_item_hint_and_checked_value():
    class AgeForm(forms.Form):
        example = forms.ChoiceField(
            label="Are you 18 or over?",
            choices=[("yes", "Yes"), ("no", "No")],
            widget=forms.RadioSelect,
        )

    form = AgeForm(initial={"example": "no"})
    layout = Field("example", inline=True, item_hints={"yes": "You can sign up yourself"})

    assert_html_equal(
        render_layout(form, layout),
        """
        <div class="nhsuk-form-group">
          <fieldset class="nhsuk-fieldset">
            <legend class="nhsuk-fieldset__legend">
              Are you 18 or over?
            </legend>
            <div class="nhsuk-radios nhsuk-radios--inline" data-module="nhsuk-radios">
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_example" name="example" type="radio" value="yes" aria-describedby="id_example-item-hint">
                <label class="nhsuk-label nhsuk-radios__label" for="id_example">
                  Yes
                </label>
                <div class="nhsuk-hint nhsuk-radios__hint" id="id_example-item-hint">
                  You can sign up yourself
                </div>
              </div>
              <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id="id_example-2" name="example" type="radio" value="no" checked>
                <label class="nhsuk-label nhsuk-radios__label" for="id_example-2">
                  No
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        """,  # noqa: E501
    )


def test_checkboxes_with_hint_and_error_describe_the_fieldset():
    class ContactForm(forms.Form):
        example = forms.MultipleChoiceField(
            label="How do you want to be contacted about this?",
            help_text="Select all options that are relevant to you",
            choices=[("email", "Email"), ("phone", "Phone"), ("text message", "Text message")],
            widget=forms.CheckboxSelectMultiple,
            error_messages={"required": "Select how you want to be contacted"},
        )

    form = ContactForm(data={})
    html = render_layout(form, Field("example", label_size="l", is_page_heading=True))

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <fieldset class="nhsuk-fieldset" aria-describedby="id_example-hint id_example-error">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">
              <h1 class="nhsuk-fieldset__heading">
                How do you want to be contacted about this?
              </h1>
            </legend>
            <div class="nhsuk-hint" id="id_example-hint">
              Select all options that are relevant to you
            </div>
            <span class="nhsuk-error-message" id="id_example-error">
              <span class="nhsuk-u-visually-hidden">Error: </span>Select how you want to be contacted
            </span>
            <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
              <div class="nhsuk-checkboxes__item">
                <input class="nhsuk-checkboxes__input" id="id_example" name="example" type="checkbox" value="email">
                <label class="nhsuk-label nhsuk-checkboxes__label" for="id_example">
                  Email
                </label>
              </div>
              <div class="nhsuk-checkboxes__item">
                <input class="nhsuk-checkboxes__input" id="id_example-2" name="example" type="checkbox" value="phone">
                <label class="nhsuk-label nhsuk-checkboxes__label" for="id_example-2">
                  Phone
                </label>
              </div>
              <div class="nhsuk-checkboxes__item">
                <input class="nhsuk-checkboxes__input" id="id_example-3" name="example" type="checkbox" value="text message">
                <label class="nhsuk-label nhsuk-checkboxes__label" for="id_example-3">
                  Text message
                </label>
              </div>
            </div>
          </fieldset>
        </div>
        """,  # noqa: E501
    )


def test_boolean_field_renders_single_checkbox_with_item_hint():
    class ConsentForm(forms.Form):
        consent = forms.BooleanField(
            label="I agree to be contacted", help_text="We will only contact you about this request"
        )

    html = render_layout(ConsentForm(), "consent")

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group">
          <div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">
            <div class="nhsuk-checkboxes__item">
              <input class="nhsuk-checkboxes__input" id="id_consent" name="consent" type="checkbox" aria-describedby="id_consent-item-hint">
              <label class="nhsuk-label nhsuk-checkboxes__label" for="id_consent">
                I agree to be contacted
              </label>
              <div class="nhsuk-hint nhsuk-checkboxes__hint" id="id_consent-item-hint">
                We will only contact you about this request
              </div>
            </div>
          </div>
        </div>
        """,  # noqa: E501
    )


def test_select_renders_options_with_selected_value():
    class SortForm(forms.Form):
        example = forms.ChoiceField(
            label="Sort by",
            choices=[
                ("published", "Recently published"),
                ("updated", "Recently updated"),
                ("views", "Most views"),
                ("comments", "Most comments"),
            ],
        )

    form = SortForm(initial={"example": "updated"})
    html = render_layout(form, Field("example", label_size="l", is_page_heading=True))

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group">
          <h1 class="nhsuk-label-wrapper">
            <label class="nhsuk-label nhsuk-label--l" for="id_example">
              Sort by
            </label>
          </h1>
          <select class="nhsuk-select" id="id_example" name="example">
            <option value="published">Recently published</option>
            <option value="updated" selected>Recently updated</option>
            <option value="views">Most views</option>
            <option value="comments">Most comments</option>
          </select>
        </div>
        """,
    )


class DateOfBirthForm(forms.Form):
    example = DateInputField(
        label="What is your date of birth?",
        help_text="For example, 31 3 1980",
        error_messages={
            "required": "Enter your date of birth",
            "incomplete": "Date of birth must include a %(missing)s",
        },
    )


def test_date_input_with_error_highlights_only_the_missing_day():
    form = DateOfBirthForm(data={"example-day": "", "example-month": "3", "example-year": "1980"})
    html = render_layout(form, Field("example", label_size="l", is_page_heading=True))

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <fieldset class="nhsuk-fieldset" role="group" aria-describedby="id_example-hint id_example-error">
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">
              <h1 class="nhsuk-fieldset__heading">
                What is your date of birth?
              </h1>
            </legend>
            <div class="nhsuk-hint" id="id_example-hint">
              For example, 31 3 1980
            </div>
            <span class="nhsuk-error-message" id="id_example-error">
              <span class="nhsuk-u-visually-hidden">Error: </span>Date of birth must include a day
            </span>
            <div class="nhsuk-date-input" id="id_example">
              <div class="nhsuk-date-input__item">
                <div class="nhsuk-form-group nhsuk-form-group--error">
                  <label class="nhsuk-label nhsuk-date-input__label" for="id_example-day">
                    Day
                  </label>
                  <input class="nhsuk-input nhsuk-input--error nhsuk-input--width-2 nhsuk-date-input__input" id="id_example-day" name="example-day" type="text" inputmode="numeric">
                </div>
              </div>
              <div class="nhsuk-date-input__item">
                <div class="nhsuk-form-group">
                  <label class="nhsuk-label nhsuk-date-input__label" for="id_example-month">
                    Month
                  </label>
                  <input class="nhsuk-input nhsuk-input--width-2 nhsuk-date-input__input" id="id_example-month" name="example-month" type="text" value="3" inputmode="numeric">
                </div>
              </div>
              <div class="nhsuk-date-input__item">
                <div class="nhsuk-form-group">
                  <label class="nhsuk-label nhsuk-date-input__label" for="id_example-year">
                    Year
                  </label>
                  <input class="nhsuk-input nhsuk-input--width-4 nhsuk-date-input__input" id="id_example-year" name="example-year" type="text" value="1980" inputmode="numeric">
                </div>
              </div>
            </div>
          </fieldset>
        </div>
        """,  # noqa: E501
    )


def test_fieldset_renders_legend_size_and_page_heading_around_fields():
    class AddressForm(forms.Form):
        town = forms.CharField(label="Town or city")

    layout = Fieldset("What is your address?", "town", legend_size="l", is_page_heading=True)

    assert_html_equal(
        render_layout(AddressForm(), layout),
        """
        <fieldset class="nhsuk-fieldset">
          <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--l">
            <h1 class="nhsuk-fieldset__heading">
              What is your address?
            </h1>
          </legend>
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="id_town">
              Town or city
            </label>
            <input class="nhsuk-input" id="id_town" name="town" type="text">
          </div>
        </fieldset>
        """,
    )


def test_fieldset_without_heading_renders_plain_legend():
    class AddressForm(forms.Form):
        town = forms.CharField(label="Town or city")

    html = render_layout(AddressForm(), Fieldset("What is your address?", "town"))

    assert_html_equal(
        html,
        """
        <fieldset class="nhsuk-fieldset">
          <legend class="nhsuk-fieldset__legend">
            What is your address?
          </legend>
          <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="id_town">
              Town or city
            </label>
            <input class="nhsuk-input" id="id_town" name="town" type="text">
          </div>
        </fieldset>
        """,
    )


def test_error_summary_lists_form_errors_then_links_to_each_field():
    class SignUpForm(forms.Form):
        first_name = forms.CharField(error_messages={"required": "Enter your first name"})
        contact = forms.ChoiceField(
            choices=CONTACT_CHOICES,
            widget=forms.RadioSelect,
            error_messages={"required": "Select how you want to be contacted"},
        )
        date_of_birth = DateInputField(
            error_messages={"invalid": "Date of birth must be a real date"}
        )

        def clean(self):
            raise ValidationError("Invalid username or password")

    form = SignUpForm(
        data={"date_of_birth-day": "31", "date_of_birth-month": "2", "date_of_birth-year": "2026"}
    )
    html = Template("{% load crispy_forms_tags %}{{ form|as_crispy_errors }}").render(
        Context({"form": form})
    )

    assert_html_equal(
        html,
        """
        <div class="nhsuk-error-summary" data-module="nhsuk-error-summary">
          <div role="alert">
            <h2 class="nhsuk-error-summary__heading">
              There is a problem
            </h2>
            <div class="nhsuk-error-summary__body">
              <ul class="nhsuk-list nhsuk-error-summary__list">
                <li>
                  Invalid username or password
                </li>
                <li>
                  <a href="#id_first_name">
                    Enter your first name
                  </a>
                </li>
                <li>
                  <a href="#id_contact">
                    Select how you want to be contacted
                  </a>
                </li>
                <li>
                  <a href="#id_date_of_birth-day">
                    Date of birth must be a real date
                  </a>
                </li>
              </ul>
            </div>
          </div>
        </div>
        """,
    )


def test_error_summary_is_not_rendered_for_a_valid_form():
    class NameForm(forms.Form):
        name = forms.CharField()

    form = NameForm(data={"name": "Sam"})
    html = Template("{% load crispy_forms_tags %}{{ form|as_crispy_errors }}").render(
        Context({"form": form})
    )

    assert_html_equal(html, "")


def test_button_renders_primary_and_secondary_variants():
    class EmptyForm(forms.Form):
        pass

    html = render_layout(
        EmptyForm(),
        Button("Save and continue", prevent_double_click=True),
        Button("Find my location", secondary=True),
    )

    assert_html_equal(
        html,
        """
        <button class="nhsuk-button" data-module="nhsuk-button" data-prevent-double-click="true" type="submit">
          Save and continue
        </button>
        <button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit">
          Find my location
        </button>
        """,  # noqa: E501
    )


def test_crispy_tag_wraps_form_with_error_summary_fields_and_buttons():
    class NameForm(forms.Form):
        name = forms.CharField(
            label="Full name", error_messages={"required": "Enter your full name"}
        )

    form = NameForm(data={})
    form.helper = FormHelper()
    form.helper.form_action = "/names/"
    form.helper.disable_csrf = True
    form.helper.add_input(Button("Save and continue"))
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))

    assert_html_equal(
        html,
        """
        <form action="/names/" method="post" novalidate>
          <div class="nhsuk-error-summary" data-module="nhsuk-error-summary">
            <div role="alert">
              <h2 class="nhsuk-error-summary__heading">There is a problem</h2>
              <div class="nhsuk-error-summary__body">
                <ul class="nhsuk-list nhsuk-error-summary__list">
                  <li><a href="#id_name">Enter your full name</a></li>
                </ul>
              </div>
            </div>
          </div>
          <div class="nhsuk-form-group nhsuk-form-group--error">
            <label class="nhsuk-label" for="id_name">Full name</label>
            <span class="nhsuk-error-message" id="id_name-error">
              <span class="nhsuk-u-visually-hidden">Error: </span>Enter your full name
            </span>
            <input class="nhsuk-input nhsuk-input--error" id="id_name" name="name" type="text" aria-describedby="id_name-error">
          </div>
          <button class="nhsuk-button" data-module="nhsuk-button" type="submit">Save and continue</button>
        </form>
        """,  # noqa: E501
    )


def test_crispy_filter_renders_every_field_with_the_pack():
    class NameForm(forms.Form):
        name = forms.CharField(label="Full name", max_length=100)

    html = Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(
        Context({"form": NameForm()})
    )

    assert_html_equal(
        html,
        """
        <div class="nhsuk-form-group">
          <label class="nhsuk-label" for="id_name">Full name</label>
          <input class="nhsuk-input" id="id_name" name="name" type="text" maxlength="100">
        </div>
        """,
    )


def test_text_input_keeps_typed_value_after_validation_error():
    class ContactForm(forms.Form):
        email = forms.EmailField(
            label="Email address",
            error_messages={"invalid": "Enter an email address in the correct format"},
        )
        born = DateInputField(label="Date of birth")

    form = ContactForm(
        data={"email": "sam@", "born-day": "12", "born-month": "x", "born-year": "1990"}
    )
    assert not form.is_valid()

    assert_html_equal(
        render_layout(form, "email"),
        """
        <div class="nhsuk-form-group nhsuk-form-group--error">
          <label class="nhsuk-label" for="id_email">Email address</label>
          <span class="nhsuk-error-message" id="id_email-error">
            <span class="nhsuk-u-visually-hidden">Error: </span>Enter an email address in the correct format
          </span>
          <input class="nhsuk-input nhsuk-input--error" id="id_email" name="email" type="email" value="sam@" maxlength="320" aria-describedby="id_email-error">
        </div>
        """,  # noqa: E501
    )
    date_html = render_layout(form, "born")
    # Only the month is wrong, so only the month box is highlighted; all three keep their text.
    for part, value, error in (
        ("day", "12", ""),
        ("month", "x", " nhsuk-input--error"),
        ("year", "1990", ""),
    ):
        width = 4 if part == "year" else 2
        assert_in_html(
            f'<input class="nhsuk-input{error} nhsuk-input--width-{width} nhsuk-date-input__input"'
            f' id="id_born-{part}" name="born-{part}" type="text" value="{value}"'
            ' inputmode="numeric">',
            date_html,
        )


def test_date_input_field_turns_three_parts_into_a_date():
    field = DateInputField()

    assert field.clean(["5", "8", "2024"]) == datetime.date(2024, 8, 5)
    assert field.clean([" 05", "08 ", "2024"]) == datetime.date(2024, 8, 5)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["31", "2", "2026"], "Enter a real date"),
        (["", "", ""], "Enter a date"),
        (["", "2", ""], "Date must include a day and year"),
        (["1", "May", "2026"], "Enter a real date"),
        (["1", "2", "26"], "Year must include 4 numbers"),
    ],
)
def test_date_input_field_rejects_impossible_date_with_clear_message(parts, message):
    with pytest.raises(ValidationError) as raised:
        DateInputField().clean(parts)

    assert raised.value.messages == [message]


@pytest.mark.parametrize(
    ("parts", "wrong"),
    [
        (["2147483648", "1", "2026"], ["day"]),
        (["1", "2147483648", "2026"], ["month"]),
        (["123456789012345678901234567890", "1", "2026"], ["day"]),
        (["9" * 100_000, "1", "2026"], ["day"]),
        (["32", "13", "2026"], ["day", "month"]),
        (["00", "1", "2026"], ["day"]),
    ],
)
def test_date_input_field_gives_a_field_error_for_a_day_or_month_out_of_range(parts, wrong):
    with pytest.raises(ValidationError) as raised:
        DateInputField().clean(parts)

    assert raised.value.messages == ["Enter a real date"]
    assert raised.value.params["parts"] == wrong


def test_date_input_field_accepts_a_zero_padded_day_and_month():
    assert DateInputField().clean(["0031", "012", "2026"]) == datetime.date(2026, 12, 31)


def test_long_text_field_names_its_limit_when_the_text_is_too_long():
    field = LongTextField(what="Comment on 2.3", max_length=10)

    with pytest.raises(ValidationError) as raised:
        field.clean("x" * 11)

    assert raised.value.messages == ["Comment on 2.3 must be 10 characters or fewer"]
    assert field.clean("x" * 10) == "x" * 10


def test_long_text_field_allows_5000_characters_and_says_so_with_a_comma():
    field = LongTextField(what="Note")

    assert field.clean("x" * 5000) == "x" * 5000
    with pytest.raises(ValidationError) as raised:
        field.clean("x" * 100_000)
    assert raised.value.messages == ["Note must be 5,000 characters or fewer"]


def test_long_text_field_renders_a_textarea_without_maxlength():
    class NoteForm(forms.Form):
        note = LongTextField(what="Note", rows=3)

    html = str(NoteForm()["note"])

    assert html.startswith("<textarea") and 'rows="3"' in html
    assert "maxlength" not in html


def test_date_input_field_shows_initial_date_unpadded():
    form = DateOfBirthForm(initial={"example": datetime.date(2024, 8, 5)})

    html = render_layout(form, "example")

    for part, value in (("day", "5"), ("month", "8"), ("year", "2024")):
        width = 4 if part == "year" else 2
        assert_in_html(
            f'<input class="nhsuk-input nhsuk-input--width-{width} nhsuk-date-input__input"'
            f' id="id_example-{part}" name="example-{part}" type="text" value="{value}"'
            ' inputmode="numeric">',
            html,
        )
