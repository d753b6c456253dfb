// Visit form: picking a customer from the search results fills the hidden field
// and loads that customer's opportunities (URL from data-opportunities-url).
document.addEventListener("click", function (e) {
  var btn = e.target.closest("[data-customer-id]");
  if (!btn) return;
  var choices = document.getElementById("customer-choices");
  document.getElementById("id_customer").value = btn.dataset.customerId;
  var chosen = document.getElementById("chosen-customer");
  chosen.querySelector("span").textContent = btn.dataset.customerName;
  chosen.classList.remove("d-none");
  choices.innerHTML = "";
  document.getElementById("customer-q").value = "";
  htmx.ajax("GET", choices.dataset.opportunitiesUrl + "?customer=" + btn.dataset.customerId, "#opportunity-fields");
});
