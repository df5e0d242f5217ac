#include "dli/report/distribution_plot.hpp"

#include <algorithm>
#include <cstdint>

#include <fmt/format.h>

#include "dli/protocol/json_writer.hpp"
#include "dli/report/plot_number.hpp"
#include "dli/report/svg_plot.hpp"

namespace dli {

namespace {

// JSON inside a single-quoted attribute: the three characters that could end or break it.
std::string attribute_text(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '\'': out += "&#39;"; break;
      case '<': out += "&lt;"; break;
      default: out += c;
    }
  }
  return out;
}

void append_numbers(std::string& json, const std::vector<double>& values) {
  json += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) json += ',';
    fmt::format_to(std::back_inserter(json), "{}", PlotNumber{values[i]});
  }
  json += ']';
}

}  // namespace

std::optional<DistributionPlot> latency_distribution(const Histogram& histogram, const std::string& title,
                                                     int bars) {
  if (histogram.buckets.empty() || bars < 1) return std::nullopt;
  const std::int32_t first = histogram.buckets.front().index, last = histogram.buckets.back().index;
  const std::int32_t per_bar = std::max<std::int32_t>(1, (last - first + bars) / bars);
  const std::int32_t count = (last - first) / per_bar + 1;
  DistributionPlot plot;
  plot.title = title;
  plot.percents.assign(static_cast<std::size_t>(count), 0.0);
  const double total = static_cast<double>(histogram.total());
  for (const auto& bucket : histogram.buckets) {
    plot.percents[static_cast<std::size_t>((bucket.index - first) / per_bar)] +=
        100.0 * static_cast<double>(bucket.count) / total;
  }
  plot.y_ticks = nice_ticks(0, *std::max_element(plot.percents.begin(), plot.percents.end()));
  plot.low_ms = histogram_lower_bound(first) * 1e3;
  plot.high_ms = histogram_lower_bound(first + count * per_bar) * 1e3;
  plot.tick_every = std::max<std::int32_t>(1, count / 5);
  plot.median_ms = histogram_percentile(histogram, 50) * 1e3;
  plot.p99_ms = histogram_percentile(histogram, 99) * 1e3;
  return plot;
}

std::string distribution_figure(const DistributionPlot& plot) {
  std::string json = "{\"title\":";
  append_json_string(json, plot.title);
  fmt::format_to(std::back_inserter(json), ",\"low_ms\":{},\"high_ms\":{},\"percents\":", PlotNumber{plot.low_ms},
                 PlotNumber{plot.high_ms});
  append_numbers(json, plot.percents);
  json += ",\"y_ticks\":";
  append_numbers(json, plot.y_ticks);
  fmt::format_to(std::back_inserter(json), ",\"tick_every\":{},\"median_ms\":{},\"p99_ms\":{}}}", plot.tick_every,
                 PlotNumber{plot.median_ms}, PlotNumber{plot.p99_ms});
  return "<figure class=\"dist\" data-plot='" + attribute_text(json) + "'></figure>\n";
}

const char* distribution_script() {
  // The geometry of svg_plot.cpp's plots (560 x 320, the plot area from x 64 and y 30, 476 x 242), numbers as
  // PlotNumber writes them, positions with one decimal.
  return R"JS(
(function(){
'use strict';
var NS='http://www.w3.org/2000/svg',W=560,H=320,L=64,T=30,PW=476,PH=242,BAR='#0072B2',MARK='#D55E00';
function num(v){
 if(v===0)return '0';
 var a=Math.abs(v);
 if(a<0.001||a>=100000)return v.toPrecision(2);
 return String(Number((Math.round(v*1e4)/1e4).toPrecision(6)));
}
function at(v){return v.toFixed(1);}
function add(parent,name,attributes,text){
 var e=document.createElementNS(NS,name);
 for(var k in attributes)e.setAttribute(k,attributes[k]);
 if(text!==undefined)e.textContent=text;
 parent.appendChild(e);
 return e;
}
function draw(figure){
 var d=JSON.parse(figure.getAttribute('data-plot')),n=d.percents.length,top=d.y_ticks[d.y_ticks.length-1];
 var bar=PW/n,span=Math.log(d.high_ms/d.low_ms);
 function sy(p){return T+PH-p/top*PH;}
 function edge(i){return d.low_ms*Math.exp(span*i/n);}
 function sx(ms){return L+Math.log(ms/d.low_ms)/span*PW;}
 var svg=document.createElementNS(NS,'svg');
 var head={'class':'plot',width:W,height:H,viewBox:'0 0 '+W+' '+H,role:'img','aria-label':d.title};
 for(var k in head)svg.setAttribute(k,head[k]);
 add(svg,'text',{x:L,y:18,'font-size':13,'font-weight':600},d.title);
 d.y_ticks.forEach(function(t){
  var y=sy(t);
  add(svg,'line',{x1:at(L),y1:at(y),x2:at(L+PW),y2:at(y),stroke:'#ddd'});
  add(svg,'text',{x:at(L-6),y:at(y+4),'font-size':11,'text-anchor':'end'},num(t)+'%');
 });
 d.percents.forEach(function(p,i){
  if(!(p>0))return;
  var r=add(svg,'rect',{x:at(L+i*bar),y:at(sy(p)),width:at(Math.max(bar-1,1)),height:at(T+PH-sy(p)),fill:BAR});
  add(r,'title',{},num(edge(i))+' to '+num(edge(i+1))+' ms: '+num(p)+'% of requests');
 });
 for(var i=0;i<=n;i+=d.tick_every){
  add(svg,'text',{x:at(L+i*bar),y:at(T+PH+16),'font-size':11,'text-anchor':'middle'},num(edge(i)));
 }
 [[d.median_ms,'median'],[d.p99_ms,'p99']].forEach(function(m){
  var x=sx(m[0]);
  add(svg,'line',{x1:at(x),y1:at(T),x2:at(x),y2:at(T+PH),stroke:MARK,'stroke-dasharray':'4 3'});
  add(svg,'text',{x:at(x+3),y:at(T+10),'font-size':11,fill:MARK},m[1]);
 });
 add(svg,'line',{x1:at(L),y1:at(T+PH),x2:at(L+PW),y2:at(T+PH),stroke:'#333'});
 add(svg,'text',{x:at(L+PW/2),y:at(H-10),'font-size':12,'text-anchor':'middle'},'request time (ms, log scale)');
 add(svg,'text',{x:14,y:at(T+PH/2),'font-size':12,'text-anchor':'middle',
  transform:'rotate(-90 14 '+at(T+PH/2)+')'},'share of requests');
 figure.replaceWith(svg);
}
document.querySelectorAll('figure.dist[data-plot]').forEach(draw);
})();
)JS";
}

}  // namespace dli
